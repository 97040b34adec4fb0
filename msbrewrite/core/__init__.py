"""The pure pipeline: convert() and detect(), rendering, validation, size estimates, checks of the
original build, the debug stage, option values and the configuration files that set them.

May import: msbrewrite.optimize, msbrewrite.languages, msbrewrite.rules, msbrewrite.model,
msbrewrite.support.
"""
