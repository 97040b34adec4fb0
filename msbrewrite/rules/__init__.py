"""The cross-language passes over (facts, plan): the app's run-time files, the runtime user and what
it can reach, programs and downloads, the runtime environment, secrets, platform, compose usage,
and the runtime stage they build together.

May import: msbrewrite.model, msbrewrite.support.
"""
