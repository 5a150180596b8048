"""Names as people say and type them: the folded forms the patient search matches and the key the
patient list sorts by, the same on SQLite and PostgreSQL (no `unaccent`, no collation needed).

- `fold`: lower case, accents and other marks dropped (Schäfer → schafer, Çelik → celik), and the
  letters that Unicode does not decompose mapped by hand (Yılmaz → yilmaz, Øberg → oberg, Łukasz
  → lukasz, Straße → strasse).
- `fold_german`: the same after the German transliteration ä → ae, ö → oe, ü → ue, so that
  "Mueller" finds Müller as well as "Muller" does.
"""

import re
import unicodedata

# Letters that are not a base letter plus a combining mark, so NFKD leaves them alone.
_SPECIAL = str.maketrans(
    {
        "ß": "ss", "ẞ": "ss", "ı": "i", "İ": "i", "ø": "o", "Ø": "o", "æ": "ae", "Æ": "ae", "œ": "oe",
        "Œ": "oe", "ł": "l", "Ł": "l", "đ": "d", "Đ": "d", "ð": "d", "Ð": "d", "þ": "th", "Þ": "th",
        "ħ": "h", "Ħ": "h", "ŋ": "n", "Ŋ": "n",
    }
)  # fmt: skip
_GERMAN = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "Ä": "ae", "Ö": "oe", "Ü": "ue"})
# What joins a name without being part of it: "O'Brien" is found by "obrien".
_JOINERS = re.compile(r"['’‘`´.]")


def fold(text: str) -> str:
    text = unicodedata.normalize("NFKD", unicodedata.normalize("NFC", text).translate(_SPECIAL))
    text = "".join(ch for ch in text if not unicodedata.combining(ch)).casefold()
    return " ".join(_JOINERS.sub("", text).split())


def fold_german(text: str) -> str:
    return fold(unicodedata.normalize("NFC", text).translate(_GERMAN))


def search_name(first_name: str, last_name: str) -> str:
    """What the patient search matches: both folded forms of "first last" (one when they agree)."""
    plain = fold(f"{first_name} {last_name}")
    german = fold_german(f"{first_name} {last_name}")
    return plain if plain == german else f"{plain} {german}"


def sort_key(name: str) -> str:
    """The patient list's sort key of a name: folded, letters and digits only, so Schäfer sorts as
    "schafer", before Schulz, and every database collation orders the keys the same way."""
    return "".join(ch for ch in fold(name) if ch.isalnum())


def name_fields(first_name: str, last_name: str) -> dict[str, str]:
    """The derived columns of Patient for these names (Patient.save, bulk inserts, the migration)."""
    return {
        "search_name": search_name(first_name, last_name),
        "sort_last_name": sort_key(last_name),
        "sort_first_name": sort_key(first_name),
    }
