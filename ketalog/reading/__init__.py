"""Reading a course: records in, one honest picture out (pure; rules in docs/progress-rules.md).

Modules by concern: ``rules`` (constants), ``model``, ``windows``, ``scores``, ``ratings``, ``signs``, ``vitals``,
``flags``, ``durability``, ``reconcile``, ``report`` and ``trends``.
"""
