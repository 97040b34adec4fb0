"""The model every other layer reads: the lossless Dockerfile, shell reading, the facts of a stage
(StageFacts), the command index, the build context, the BuildPlan and Options, base-image facts,
quoting for each place a value lands, package.json.

May import: msbrewrite.support.
"""
