"""Common English words from ``wordfreq`` (the only wordfreq importer).

Spelling correction must leave real words alone: ``Nirvana bleach`` is an album, not a typo
of ``beach``, even when a catalogue of electronics never says ``bleach``. A word that occurs
at least once per million words of English (Zipf frequency ≥ 3) counts as a real word.
Common misspellings stay below that line (``definately`` 2.87, ``seperate`` 2.82,
``acessories`` 1.05), real words rarely do (``bleach`` 3.51, ``interpol`` 3.15).
"""

from __future__ import annotations

from functools import lru_cache

from wordfreq import get_frequency_dict, get_frequency_list

#: Zipf 3: once per million words.
MIN_FREQUENCY = 1e-6


@lru_cache(maxsize=1)
def common_english_words(min_frequency: float = MIN_FREQUENCY) -> frozenset[str]:
    """Lower-case ASCII words of 3+ letters at least as frequent as ``min_frequency``."""
    words = frozenset(
        w
        for w, f in get_frequency_dict("en").items()
        if f >= min_frequency and len(w) > 2 and w.isascii() and w.isalpha()
    )
    # wordfreq keeps the whole English list cached (~29 MB a process); the set is ~3.5 MB
    get_frequency_dict.cache_clear()
    get_frequency_list.cache_clear()
    return words
