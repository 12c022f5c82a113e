"""`voicekit speak`: a narration script in the trained voice, with subtitles and a synthetic mark.

``script`` reads the script (UTF-8, paragraphs, numbered lines, ``[pause 1.5s]``), ``synth``
loads the coqui VITS checkpoint and synthesises one sentence per seed, ``assemble`` joins them
with pauses and normalises loudness, ``srt`` writes the subtitles, ``mark`` labels the output
as synthetic, and ``narrate`` runs it all with a per-sentence cache.
"""

from voicekit.speak.assemble import AssemblyConfig
from voicekit.speak.narrate import FORMATS, SpeakResult, speak

__all__ = ["FORMATS", "AssemblyConfig", "SpeakResult", "speak"]
