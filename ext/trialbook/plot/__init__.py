"""Drawing figures from :mod:`trialbook.report.figures`: vector files, reproducible.

matplotlib is imported by :func:`trialbook.plot.output.render` only, when a figure
is actually drawn: importing pyplot costs 0.5–2 s, which no build that draws
nothing should pay. It is the optional extra ``trialbook[plot]``.
"""
