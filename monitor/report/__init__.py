"""The yearly report for the municipal executive board (`monitor report`).

gather (SQL, by index ranges) -> model (the year's figures) -> document (worded blocks, pure)
-> markdown or html (with chart's inline SVG). build.py ties them to a config and a store.
"""
