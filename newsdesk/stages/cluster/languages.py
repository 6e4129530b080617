"""Languages for clustering: which articles share a TF-IDF space, how their means are kept."""

from __future__ import annotations

# A language's running mean counts as if this many more (zero) vectors had been seen: the first
# articles of a language are not centred on themselves.
CENTRE_PRIOR = 10.0
UNKNOWN = "und"  # no language detected
# Languages whose news shares its vocabulary (and which detectors confuse): one TF-IDF space.
# Nigerian Pidgin is English-lexified (py3langid gives "pcm" to 86 of googlenews-ts's 8,685
# English snippets); Cantonese and Wu share the Chinese script; "zxx" is no language at all.
LANGUAGE_GROUPS = {
    "id": "ms", "nn": "no", "nb": "no", "bs": "hr", "sr": "hr", "pcm": "en",
    "yue": "zh", "wuu": "zh", "ary": "ar", "arz": "ar", "zxx": UNKNOWN,
}  # fmt: skip


def language_group(lang: str | None) -> str:
    """The language an article counts as for clustering (ISO 639-1, groups merged)."""
    if not lang:
        return UNKNOWN
    code = lang.lower().split("-")[0][:3]
    return LANGUAGE_GROUPS.get(code, code)


# -- the online clusterer -----------------------------------------------------------------
