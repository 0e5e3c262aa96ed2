"""What the Welsh catalogue misses: words people read that are not marked for translation, and
marked words with no Welsh. The catalogue test asserts both lists are empty; run
`python -m tests.i18n_audit [path-prefix ...]` to see them for part of the app.

Marked: `_()` / `gettext` / `ngettext` / `N_` in Python and templates, `{% trans %}` in templates.
Unmarked words are found in template text and in the attributes people read (alt, title,
aria-label, placeholder, a button's value), in template string literals that read as prose, and
in Python where messages are made: the arguments of Chorus's errors, `errors[...] = "..."`, and the
"title"/"message"/"notice"/"heading" of a page's context.
"""

from __future__ import annotations

import ast
import re
import sys
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path

from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parent.parent
APP = ROOT / "app"
TEMPLATES = APP / "templates"
LOCALE_DIR = APP / "locale" / "cy" / "LC_MESSAGES"
# Python that speaks to people. Demo data is residents' own words; the CLI speaks to operators.
# The JSON API and its OpenAPI text speak to developers, in English (decision 0107).
PYTHON_SKIPPED = ("app/demo/", "app/cli.py", "app/panel_draw_cli.py", "app/panel_verify_cli.py",
                  "app/routes/api/", "app/routes/api_docs.py")
READ_ATTRIBUTES = {"alt", "title", "aria-label", "placeholder", "aria-description", "aria-roledescription"}
# Words that are the same in Welsh: names, formats and symbols.
SAME_IN_WELSH = {
    "chorus", "cymraeg", "english", "csv", "json", "api", "html", "pdf", "ods", "xlsx", "sha", "url",
    "id", "nmi", "ari", "kappa", "utf", "openapi", "swagger", "ui", "gov", "uk", "nhs", "totp", "http",
    "https", "www", "mailto", "htmx", "javascript", "vs", "ok", "faq", "ll", "cc", "am", "pm",
}
PROSE_KEYS = {"title", "message", "notice", "heading", "hint", "label", "success"}
_MARKERS = {"_", "gettext", "ngettext", "N_", "pgettext", "npgettext"}


@dataclass(frozen=True)
class Finding:
    path: str
    line: int
    text: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.text!r}"


def _is_words(text: str) -> bool:
    words = re.findall(r"[A-Za-z\u00c0-\u017f’']{2,}", text)
    return any(word.lower().strip("’'") not in SAME_IN_WELSH for word in words)


# Templates -------------------------------------------------------------------------------------

class _TextFinder(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.found: list[tuple[int, str]] = []
        self._skip_depth = 0

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "style"):
            self._skip_depth += 1
        named = dict(attrs)
        for name, value in attrs:
            shown_value = name == "value" and tag == "input" and named.get("type") in ("submit", "button")
            if value and (name in READ_ATTRIBUTES or shown_value):
                self._note(value)

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)
        if tag in ("script", "style"):
            self._skip_depth -= 1

    def handle_endtag(self, tag):
        if tag in ("script", "style") and self._skip_depth:
            self._skip_depth -= 1

    def handle_data(self, data):
        if not self._skip_depth:
            self._note(data)

    def _note(self, text: str):
        line = self.getpos()[0]
        for piece in text.split("\x00"):
            if _is_words(piece):
                self.found.append((line, " ".join(piece.split())))


def _template_skeleton(env, source: str) -> tuple[str, list[tuple[int, str]]]:
    """The template's HTML with every Jinja tag blanked (\\x00), and its prose-like string literals
    that are not arguments of a translation call."""
    html: list[str] = []
    literals: list[tuple[int, str]] = []
    in_trans = False
    block_words: list[str] = []
    call_stack: list[bool] = []  # for each open "(": is it a translation call's
    previous = None
    lines_out = 1
    for line, kind, value in env.lex(source):
        if line > lines_out:  # keep the template's line numbers in the skeleton
            html.append("\n" * (line - lines_out))
            lines_out = line
        if kind == "data":
            html.append("\x00" if in_trans else value)
            lines_out += value.count("\n")
            continue
        if kind in ("block_begin", "variable_begin"):
            block_words = []
            html.append("\x00")
        if kind == "name" and not block_words:
            block_words.append(value)
            if value == "trans" and kind == "name" and previous == "block_begin":
                in_trans = True
            elif value == "endtrans":
                in_trans = False
        if kind == "lparen":
            call_stack.append(previous in _MARKERS)
        elif kind == "rparen" and call_stack:
            call_stack.pop()
        elif kind == "string" and not any(call_stack) and _reads_as_prose(value):
            literals.append((line, value))
        if kind == "name":
            previous = value
        elif kind not in ("whitespace",):
            previous = kind
        if kind == "block_begin":
            previous = "block_begin"
    # Keep line numbers: the skeleton has the data's own newlines.
    return "".join(html), literals


def _reads_as_prose(value: str) -> bool:
    if not _is_words(value) or value.startswith(("/", "#", "http", "{", ".")) or "_" in value:
        return False
    starts_capital = value[:1].isupper() and value[1:2].islower()
    return starts_capital or bool(re.search(r"[a-z]+ [a-z]+.*[.?!:]$", value))


def template_findings(prefixes: tuple[str, ...] = ()) -> list[Finding]:
    from app.templating import templates

    env = templates.env
    found: list[Finding] = []
    for path in sorted(TEMPLATES.rglob("*")):
        if path.suffix not in (".html", ".txt") or not path.is_file():
            continue
        relative = str(path.relative_to(ROOT))
        if prefixes and not relative.startswith(prefixes):
            continue
        skeleton, literals = _template_skeleton(env, path.read_text())
        if path.suffix == ".txt":
            found += [Finding(relative, n + 1, " ".join(piece.split()))
                      for n, text in enumerate(skeleton.splitlines())
                      for piece in text.split("\x00") if _is_words(piece)]
        else:
            finder = _TextFinder()
            finder.feed(skeleton)
            finder.close()
            found += [Finding(relative, line, text) for line, text in finder.found]
        found += [Finding(relative, line, text) for line, text in literals]
    return found


# Python ----------------------------------------------------------------------------------------

def _error_classes() -> set[str]:
    names = {"AppError", "InvalidInput", "NotFound", "Forbidden", "NotSignedIn", "Conflict", "RateLimited"}
    grew = True
    trees = [ast.parse(p.read_text()) for p in APP.rglob("*.py")]
    while grew:
        grew = False
        for tree in trees:
            for node in ast.walk(tree):
                if isinstance(node, ast.ClassDef) and node.name not in names and any(
                    isinstance(base, ast.Name) and base.id in names for base in node.bases
                ):
                    names.add(node.name)
                    grew = True
    return names


def _literal(node) -> bool:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return _is_words(node.value)
    if isinstance(node, ast.JoinedStr):
        return any(isinstance(v, ast.Constant) and _is_words(str(v.value)) for v in node.values)
    if isinstance(node, ast.BinOp):  # "..." + "..." or "..." % x
        return _literal(node.left) or _literal(node.right)
    if isinstance(node, ast.IfExp):
        return _literal(node.body) or _literal(node.orelse)
    return False


def _call_name(node: ast.Call) -> str:
    func = node.func
    return func.id if isinstance(func, ast.Name) else func.attr if isinstance(func, ast.Attribute) else ""


def python_findings(prefixes: tuple[str, ...] = ()) -> list[Finding]:
    errors = _error_classes()
    found: list[Finding] = []
    for path in sorted(APP.rglob("*.py")):
        relative = str(path.relative_to(ROOT))
        if relative.startswith(PYTHON_SKIPPED) or (prefixes and not relative.startswith(prefixes)):
            continue
        source = path.read_text()
        for node in ast.walk(ast.parse(source)):
            for bad in _unmarked(node, errors):
                found.append(Finding(relative, bad.lineno, ast.unparse(bad)[:120]))
        # The extractor cannot see a literal marked inside an f-string: its Welsh would go obsolete.
        for number, line in enumerate(source.splitlines(), start=1):
            if re.search(r"""\{_\(\s*["']""", line):
                found.append(Finding(relative, number, "a marked literal inside an f-string: " + line.strip()))
    return found


def _unmarked(node, errors: set[str]):
    if isinstance(node, ast.Call) and _call_name(node) in errors:
        for argument in [*node.args, *(k.value for k in node.keywords if k.arg in ("message", "errors"))]:
            if isinstance(argument, ast.Dict):
                yield from (v for v in argument.values if _literal(v))
            elif _literal(argument):
                yield argument
    elif isinstance(node, ast.Assign):
        for target in node.targets:
            if (isinstance(target, ast.Subscript) and isinstance(target.value, ast.Name)
                    and "error" in target.value.id and _literal(node.value)):
                yield node.value
            if isinstance(target, ast.Name) and "error" in target.id and isinstance(node.value, ast.Dict):
                yield from (v for v in node.value.values if _literal(v))
    elif isinstance(node, ast.Dict):
        for key, value in zip(node.keys, node.values, strict=True):
            if isinstance(key, ast.Constant) and key.value in PROSE_KEYS and _literal(value):
                yield value


# The catalogue ---------------------------------------------------------------------------------

def welsh_catalogue() -> dict:
    messages = {}
    for po_path in sorted(LOCALE_DIR.glob("*.po")):
        with po_path.open("rb") as po:
            for message in read_po(po, locale="cy"):
                key = message.id[0] if isinstance(message.id, (tuple, list)) else message.id
                if key and key not in messages:
                    messages[key] = message
    return messages


def marked_messages() -> list[tuple[str, int, object]]:
    method_map = [("templates/**.html", "jinja2"), ("templates/**.txt", "jinja2"), ("**.py", "python")]
    options = {"templates/**.html": {"extensions": "jinja2.ext.i18n", "newstyle_gettext": "true",
                                     "trim_blocks": "true", "lstrip_blocks": "true"},
               "templates/**.txt": {"extensions": "jinja2.ext.i18n", "newstyle_gettext": "true",
                                    "trim_blocks": "true", "lstrip_blocks": "true"}}
    return [(f"app/{filename}", lineno, message)
            for filename, lineno, message, _comments, _context in extract_from_dir(
                str(APP), method_map, options_map=options)]


_PLACEHOLDER = re.compile(r"%\(\w+\)[sd]|\{\w*\}")


def catalogue_findings(prefixes: tuple[str, ...] = ()) -> list[Finding]:
    welsh = welsh_catalogue()
    found = []
    for path, line, message in marked_messages():
        if prefixes and not path.startswith(prefixes):
            continue
        key = message if isinstance(message, str) else message[0]
        entry = welsh.get(key)
        translated = entry.string if entry is not None else None
        if isinstance(translated, (tuple, list)):
            complete = all(translated)
            translated = translated[-1] if complete else ""
        if not translated or (entry is not None and entry.fuzzy):
            found.append(Finding(path, line, f"no Welsh for {key!r}"))
        elif sorted(_PLACEHOLDER.findall(key)) != sorted(_PLACEHOLDER.findall(translated)):
            found.append(Finding(path, line, f"placeholders differ in Welsh for {key!r}"))
    return found


def main(argv: list[str]) -> int:
    prefixes = tuple(argv)
    sections = {
        "unmarked in templates": template_findings(prefixes),
        "unmarked in Python": python_findings(prefixes),
        "marked, no Welsh": catalogue_findings(prefixes),
    }
    for title, findings in sections.items():
        print(f"# {title}: {len(findings)}")
        for finding in findings:
            print(finding)
    return 1 if any(sections.values()) else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
