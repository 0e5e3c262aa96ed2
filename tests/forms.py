"""Submit a rendered form as a browser would.

The test names the form by its action and the fields by their visible labels; everything else
(field names, hidden inputs, the CSRF token, checked boxes, the pressed button's name and value)
comes from the HTML the app rendered. A template that renames a field, or a label that points at
nothing, fails here as it would fail for a person.
"""

import re
from urllib.parse import urlencode

from bs4 import BeautifulSoup, Tag

_TEXT_TYPES = {"text", "email", "tel", "number", "password", "search", "url", "date", "hidden", None, ""}


def _squash(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def find_form(html: str, action: str) -> Tag:
    """The form whose action is exactly `action` (or ends with it); there must be one."""
    soup = BeautifulSoup(html, "html.parser")
    forms = [f for f in soup.find_all("form")
             if (f.get("action") or "").split("?")[0] == action
             or (f.get("action") or "").split("?")[0].endswith(action)]
    assert forms, f"no form posting to {action} on the page"
    assert len(forms) == 1, f"{len(forms)} forms post to {action}"
    return forms[0]


def form_actions(html: str) -> list[str]:
    soup = BeautifulSoup(html, "html.parser")
    return [f.get("action") for f in soup.find_all("form") if (f.get("method") or "get").lower() == "post"]


def _control_for_label(form: Tag, label_text: str) -> Tag:
    """The control a label points at: label text matches exactly after squashing spaces."""
    wanted = _squash(label_text)
    for label in form.find_all("label"):
        if _squash(label.get_text(" ")) == wanted:
            target = form.find(id=label.get("for")) if label.get("for") else label.find(["input", "textarea", "select"])
            assert target is not None, f"label {label_text!r} points at no control in the form"
            return target
    known = [_squash(label.get_text(" ")) for label in form.find_all("label")]
    raise AssertionError(f"no label {label_text!r} in the form; labels are {known}")


def fill(form: Tag, values: dict[str, str | bool] | None = None, press: str | None = None) -> list[tuple[str, str]]:
    """The pairs a browser sends: `values` maps a label to text (text boxes, selects) or to True/False
    (a checkbox or radio, named by its own label); `press` is the text of the button pressed."""
    chosen: dict[int, str | bool] = {}
    for label, value in (values or {}).items():
        control = _control_for_label(form, label)
        assert control.get("name"), f"the control labelled {label!r} has no name: a browser would send nothing"
        assert not control.has_attr("disabled"), f"the control labelled {label!r} is disabled"
        chosen[id(control)] = value
    pairs: list[tuple[str, str]] = []
    for control in form.find_all(["input", "textarea", "select"]):
        name = control.get("name")
        if not name or control.has_attr("disabled"):
            continue
        kind = (control.get("type") or "").lower() if control.name == "input" else control.name
        given = chosen.get(id(control))
        if kind in ("checkbox", "radio"):
            checked = given if isinstance(given, bool) else control.has_attr("checked")
            if kind == "radio" and given is None and any(
                    isinstance(chosen.get(id(other)), bool) and chosen.get(id(other))
                    for other in form.find_all("input", attrs={"name": name, "type": "radio"})):
                checked = False
            if checked:
                pairs.append((name, control.get("value", "on")))
        elif kind in ("submit", "button", "image", "reset", "file"):
            continue
        elif kind == "textarea":
            pairs.append((name, str(given) if given is not None else control.get_text()))
        elif kind == "select":
            if given is not None:
                options = {_squash(o.get_text()): o.get("value", _squash(o.get_text())) for o in control.find_all("option")}
                values_ = {o.get("value") for o in control.find_all("option")}
                assert given in options or given in values_, f"{given!r} is not an option of {name}"
                pairs.append((name, options.get(given, given)))
            else:
                picked = control.find("option", selected=True) or control.find("option")
                if picked is not None:
                    pairs.append((name, picked.get("value", picked.get_text())))
        else:
            assert kind in _TEXT_TYPES, kind
            pairs.append((name, str(given) if given is not None else control.get("value", "")))
    buttons = form.find_all("button") + form.find_all("input", attrs={"type": "submit"})
    if press is not None:
        matches = [b for b in buttons if _squash(b.get_text(" ") or b.get("value", "")) == _squash(press)]
        assert matches, f"no button {press!r}; buttons are {[_squash(b.get_text(' ')) for b in buttons]}"
        button = matches[0]
        if button.get("name"):
            pairs.append((button["name"], button.get("value", "")))
    return pairs


def submit_form(client, page_url: str, action: str, values: dict[str, str | bool] | None = None,
                press: str | None = None, headers: dict | None = None):
    """GET the page, fill the form that posts to `action` by its labels, press a button, POST it."""
    page = client.get(page_url)
    assert page.status_code == 200, (page.status_code, page_url)
    form = find_form(page.text, action)
    assert (form.get("method") or "get").lower() == "post"
    pairs = fill(form, values, press)
    target = form.get("action")
    return client.post(target, content=urlencode(pairs), headers={
        "content-type": "application/x-www-form-urlencoded", **(headers or {})})
