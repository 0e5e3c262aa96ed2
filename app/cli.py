"""The commands behind `python -m app`.

Each command imports what it uses inside itself (not to dodge a circle: there is none, import-linter
checks) so that `migrate`, `panel-verify` or `create-user` start without loading every route and job.
"""

import argparse
import getpass
import sys

from app.db import get_database
from app.errors import AppError
from app.models.user import Role


def create_user(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m app create-user",
                                     description="Create a staff or organiser account. "
                                     "The password is read from standard input.")
    parser.add_argument("--email", required=True)
    parser.add_argument("--role", required=True, choices=[r.value for r in Role if r != Role.RESIDENT])
    parser.add_argument("--organisation", help="organisation name (required for organisers)")
    parser.add_argument("--name", default="", help="display name")
    args = parser.parse_args(argv)
    password = _read_password()
    from app.services import accounts

    try:
        with get_database().transaction() as db:
            organisation_id = None
            if args.organisation:
                organisation_id = accounts.organisation_by_name(db, args.organisation).id
            user = accounts.create_user(db, email=args.email, password=password, role=Role(args.role),
                                        display_name=args.name, organisation_id=organisation_id)
            print(f"created {user.role.value} {user.email}")
    except AppError as error:
        detail = "; ".join(getattr(error, "errors", {}).values()) or error.message
        print(f"error: {detail}", file=sys.stderr)
        return 1
    return 0


def _read_password() -> str:
    if sys.stdin.isatty():
        return getpass.getpass("Password: ")
    return sys.stdin.readline().rstrip("\n")


def demo_data(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m app demo-data",
                                     description="Load the demo council (skipped if already loaded).")
    parser.add_argument("--if-empty", action="store_true", help="only when the database has no users")
    args = parser.parse_args(argv)
    from app.demo import load_demo_data

    with get_database().transaction() as db:
        loaded = load_demo_data(db, only_if_empty=args.if_empty)
    if loaded:
        print(loaded)
    return 0


def worker(argv: list[str]) -> int:
    """Run the Huey consumer (background jobs) for this app's queue."""
    from huey.consumer_options import ConsumerConfig

    from app import jobs
    from app.config import get_settings
    from app.observability import configure_logging

    configure_logging(get_settings())
    jobs.load_tasks()
    parser = argparse.ArgumentParser(prog="python -m app worker")
    parser.add_argument("--workers", type=int, default=1)
    args = parser.parse_args(argv)
    config = ConsumerConfig(workers=args.workers, worker_type="process", periodic=True, backoff=1.15,
                            max_delay=2.0, check_worker_health=True)
    config.validate()  # logging is app.observability's (JSON in production), not Huey's own handler
    consumer = jobs.queue.create_consumer(**config.values)
    consumer.run()
    return 0


def migrate(argv: list[str]) -> int:
    from app.migrations_runner import upgrade_to_head

    upgrade_to_head(get_database().url)
    return 0


def panel_draw(argv: list[str]) -> int:
    from app.panel_draw_cli import main

    return main(argv)


def panel_verify(argv: list[str]) -> int:
    from app.panel_verify_cli import main

    return main(argv)


COMMANDS = {
    "create-user": create_user,
    "demo-data": demo_data,
    "worker": worker,
    "migrate": migrate,
    "panel-draw": panel_draw,
    "panel-verify": panel_verify,
}
