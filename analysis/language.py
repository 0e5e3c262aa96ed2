"""Which language an answer is written in, when it is not English: pure Python, no model.

The packaged embedding model reads English only, so answers in another script (Arabic, Urdu,
Bengali, Chinese, Russian, ...) or another Latin-script language (Welsh, Polish, ...) go to a
visible "other languages" bucket with the language named, never into "no comment" or a theme.
Scripts are told apart by Unicode block; Latin-script languages by their common function words
(words shared with English are ignored).
"""

from __future__ import annotations

import re
import unicodedata


def _words(text: str) -> list[str]:
    return re.findall(r"\S+", text)


# (first code point, last code point, language or script name)
_SCRIPTS = (
    (0x0600, 0x06FF, "Arabic"), (0x0750, 0x077F, "Arabic"), (0xFB50, 0xFDFF, "Arabic"),
    (0xFE70, 0xFEFF, "Arabic"), (0x0980, 0x09FF, "Bengali"), (0x0900, 0x097F, "Hindi"),
    (0x0A00, 0x0A7F, "Punjabi"), (0x0A80, 0x0AFF, "Gujarati"), (0x0B80, 0x0BFF, "Tamil"),
    (0x0400, 0x04FF, "Russian"), (0x0370, 0x03FF, "Greek"), (0x0590, 0x05FF, "Hebrew"),
    (0x0E00, 0x0E7F, "Thai"), (0x3040, 0x30FF, "Japanese"), (0x4E00, 0x9FFF, "Chinese"),
    (0x3400, 0x4DBF, "Chinese"), (0xAC00, 0xD7AF, "Korean"), (0x1100, 0x11FF, "Korean"),
    (0x0530, 0x058F, "Armenian"), (0x10A0, 0x10FF, "Georgian"), (0x1200, 0x137F, "Amharic"),
)
# Letters Urdu writes and Arabic does not; Ukrainian's letters beside Russian's.
_URDU = set("\u0679\u0688\u0691\u06ba\u06d2\u06c1\u06be")
_PERSIAN = set("\u067e\u0686\u0698\u06af\u06a9\u06cc")
_UKRAINIAN = set("іїєґІЇЄҐ")

_STOP = {
    "Welsh": "yn y yr ac mae ddim dim wedi bod gyda ond hefyd iawn nid eu ei fy eich hyn hwn sy oes"
             " roedd bydd gan mewn ydw ydy diolch fawr gwasanaeth da angen ni chi nhw fod ar cael yng"
             " ychydig llawer gwell mwy amser staff yma pan oedd byddai gallu wneud gwneud pob"
             # the article after an apostrophe (i’r, mae’r), and everyday words of council answers
             " r rhy digon ger bobl pobl cyngor dylai dylid hoffwn hoffem ffordd ysgol rhaid achos"
             " oherwydd felly efallai nawr yw ydyn roedden maen byth erioed bob heb dros lle",
    "Polish": "i w z na nie się jest to że do jak ale o co po tak za od są bardzo dla już jestem było"
              " przez tylko mnie mi czy ze oraz także jego jej ich pan pani może być była był dobrze"
              " dziękuję lekarz szpital czekać długo",
    "French": "le la les et est des une pas pour que très avec je nous vous il elle sont du au aux"
              " mais ou ce cette qui dans sur tout plus bien merci",
    "Spanish": "el la los las y es muy que de en por para con una pero se lo del al más todo bien"
               " gracias está son",
    "German": "und der die das ist nicht sehr ich mit für auf ein eine den dem zu von auch es sich"
              " wir sie danke gut",
    "Portuguese": "o a os as e é muito que de em para com uma mas não se do da dos das obrigado bem"
                  " está são",
    "Romanian": "și este foarte nu în pentru cu sunt mai dar la din care un o ca pe mulțumesc bine",
    "Italian": "il lo la gli le e è molto che di in per con una ma non si del della grazie bene sono",
    "Lithuanian": "ir yra labai ne į su kad bet aš mes jie buvo ačiū gerai",
    "Somali": "iyo waa ku ka in uu ay aad si ah la oo mahadsanid fiican",
}
_ENGLISH = frozenset(_words(
    "a about after all also am an and any are as at be because been but by can could did do does"
    " for from get go good had has have he her here his how i if in into is it just like me more my"
    " no not now of on one or our out over see she so some staff than that the their them then there"
    " they this time to too up us very was we well were what when which who will with would you your"
    " thank thanks service nurse doctor care great excellent nice lovely help helpful friendly wait"
    " waiting long"
))
_FOREIGN = {name: frozenset(words.split()) - _ENGLISH for name, words in _STOP.items()}
_WORD = re.compile(r"[^\W\d_]+", re.UNICODE)
_POLISH_LETTERS = set("ąćęłńśźżĄĆĘŁŃŚŹŻ")
_WELSH_LETTERS = set("ŵŷŴŶ")
_ROMANIAN_LETTERS = set("șțăȘȚĂ")


def language_of(text: str) -> str | None:
    """The language of a non-English answer ("Urdu", "Welsh", ...), or None for English, for
    text with no letters, and for answers too short to tell."""
    if text.isascii():  # the common case, and no other script can be in it
        return _latin_language(text) if any(c.isalpha() for c in text) else None
    letters = [c for c in text if c.isalpha()]
    if not letters:
        return None
    script = _script_language(letters)
    if script is not None:
        return script
    return _latin_language(text)


def _script_language(letters: list[str]) -> str | None:
    counts: dict[str, int] = {}
    for c in letters:
        name = _block(ord(c))
        if name is not None:
            counts[name] = counts.get(name, 0) + 1
    if not counts:
        return None
    name, n = max(counts.items(), key=lambda kv: kv[1])
    if n < 0.5 * len(letters):
        return None
    chars = set(letters)
    if name == "Arabic":
        if chars & _URDU:
            return "Urdu"
        if chars & _PERSIAN:
            return "Persian"
    if name == "Russian" and chars & _UKRAINIAN:
        return "Ukrainian"
    if name == "Chinese" and any(0x3040 <= ord(c) <= 0x30FF for c in chars):
        return "Japanese"
    return name


def _block(code: int) -> str | None:
    if code < 0x0370:
        return None
    for first, last, name in _SCRIPTS:
        if first <= code <= last:
            return name
    return None


def _latin_language(text: str) -> str | None:
    words = [w.lower() for w in _WORD.findall(text)]
    if not words:
        return None
    english = sum(w in _ENGLISH for w in words)
    if english * 2 >= len(words):  # mostly English function words: no need to look further
        return None
    chars = set(text)
    best, hits = None, 0
    for name, vocab in _FOREIGN.items():
        n = sum(w in vocab for w in words)
        if name == "Polish" and chars & _POLISH_LETTERS:
            n += 2
        if name == "Welsh" and chars & _WELSH_LETTERS:
            n += 2
        if name == "Romanian" and chars & _ROMANIAN_LETTERS:
            n += 2
        if n > hits:
            best, hits = name, n
    # Two foreign function words at least, outnumbering English ones two to one, and a fair
    # share of the answer: "Diolch yn fawr" is Welsh; "the staff were la la lovely" is not.
    if best is not None and hits >= 2 and hits >= 2 * english and hits >= 0.3 * len(words):
        return best
    return None


def has_content(text: str) -> bool:
    """Holds a letter, digit or symbol (emoji count): otherwise the answer is blank."""
    return any(unicodedata.category(c)[0] in "LNS" for c in text)
