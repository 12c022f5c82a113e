"""`voicekit speak`: a narration script in the trained voice, with subtitles and a synthetic mark.

``script`` reads the script (UTF-8, paragraphs, numbered lines, ``[pause 1.5s]``), ``synth``
loads the coqui VITS checkpoint and synthesises one sentence per seed and speed, ``cache``
keeps every take, ``gate`` transcribes takes and re-takes misheard ones, ``assemble`` joins
them with pauses and normalises loudness under a limited peak, ``srt`` writes the
subtitles, ``mark`` labels the output as synthetic, and ``narrate`` runs it all.

Importing the package stays light (the config reads ``config`` without numpy); the entry point
is ``voicekit.speak.narrate.speak``.
"""
