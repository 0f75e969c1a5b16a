"""Plain-Python logic of the clickstream pipeline: schemas, transforms, rules, hashing, runtime.

Everything here is importable without a running pipeline, so tests call it directly; the files in
``pipeline/transformations`` are thin ``@dp`` wrappers around it.
"""
