"""Speech to text: the offline whisper model and the engine that turns a call into a transcript.

`model` finds (and for the bundled base model, assembles and verifies) the faster-whisper model
and loads it once per process; `engine.transcribe` turns decoded audio into a `Transcript`,
one speaker per channel for stereo calls. Plain functions: the worker task calls them.
"""
