"""voicekit's inaudible synthetic-speech watermark (spread spectrum, no model weights).

`embed.embed(audio, rate)` marks speech; `detect.score(audio, rate)` finds the mark;
`files.check(path)` reads both labels of a file (metadata comment and watermark). The key is
public (key.SEED): the mark labels voicekit's output, it does not protect it.
"""
