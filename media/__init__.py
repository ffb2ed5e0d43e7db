"""Audio primitives on ffmpeg/ffprobe: probing, loudness, the broadcast clip chain, recording
checks, joining segments, and the content-addressed media store. Imports no project package."""
