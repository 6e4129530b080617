"""Languages for clustering: which articles share a TF-IDF space, how their means are kept."""

from __future__ import annotations

# A language's running mean counts as if this many more (zero) vectors had been seen: the first
# articles of a language are not centred on themselves.
CENTRE_PRIOR = 10.0
UNKNOWN = "und"  # no language detected
# A language counts for the multilingual side once it holds this share of the stream's articles
# (Clusterer.many_languages): one in a thousand, so a few hundred English articles with one
# German one are a mixed stream, and detector noise in an English stream is not (py3langid gives
# Latin, Italian or Bikol to 5 of the benchmark's 100k English articles; each made every later
# batch pay for the multilingual encoder, about half of the stream's time).
MIXED_SHARE = 0.001
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
