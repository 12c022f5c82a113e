"""Film-like demo/test clips with ground truth.

Entry points:
    `voicekit.demo.scenes.build_tts_set(out_dir, seed=0, turns_per_film=12)`: three ~40 s films
        from offline TTS voices and synthesized music/effects; any machine, ~15-35 s to build.
    `voicekit.demo.real.build_real_set(out_dir, data_root, lang="en"|"zh", n_scenes=3, seed=0,
        scene_seconds=(120, 240))`: scenes of ~2-4 min from ../shared/data recordings.
Both return the `<film>.truth.json` paths and are deterministic for a seed.

Truth json (UTF-8, next to the film; paths relative to it; times in seconds on the film):
    film, duration, sample_rate (48000), target (speaker label), language ("en"|"zh": the
        language of the truth audio track; pass it as --lang, it picks that track by its tag)
    turns: [{speaker, start, end, text, language}] of the truth track, sorted by start; times are
        the dry speech (silence-trimmed); a reverb tail may ring up to ~0.45 s after `end`
    overlaps: [[start, end]] where two speakers talk at once (never more than two)
    overlap_turn_ratio: share of turns that start before the previous turn ends
    target_speech_ratio: target speech time / all speech time
    refs: {target: ["refs/<speaker>/<clip>.wav", ...]}: 3 clean 16 kHz clips never mixed into
        any film of the set (one folder per target, usable as --ref-dir)
    stems: {dialogue, target, background}: mono 48 kHz wavs on the film timeline, of the truth
        track. stereo: (L+R)/2 = dialogue + background; 5.1 (FL FR FC LFE SL SR): FC = dialogue,
        (FL+FR)/2 = background; mono: dialogue + background. `target` holds only the target's
        turns (with reverb when the film has it), zero elsewhere.
    subtitles: {embedded: [{index (order among subtitle streams), format (subrip|ass|mov_text),
        language (eng|chi), shift_s, condensed}], sidecar: ["<film>.<en|zh>.srt"],
        sidecar_details: [...same fields...]}; `condensed` cues are partly shortened, garbled and
        merged; a non-zero shift_s moves every cue later.
    layout ("stereo"|"5.1"|"mono"), snr_db (20*log10(rms dialogue / rms background) over the
        film), reverb (bool)
    audio_tracks: [{index (order among audio streams), language (eng|chi), layout, codec,
        default, truth}] plus `turns` for a non-truth track (e.g. an English dub)
    speakers: {label: {source, language, gender?}}, effects: [{effect, start, end}], seed, notes
"""
