"""Citizens' panel draws run here, never in a request: LEXIMIN can take seconds to minutes."""

from app.jobs import database, queue
from app.services.panels.draws import perform_draw


@queue.task()
def run_panel_draw(draw_id: int) -> None:
    perform_draw(database(), draw_id)
