"""Other apps' files and ketalog's own exports: one module per format, listed once in `registry`.

`detect.plan_import` reads a file into a checked `plan.ImportPlan`; `apply.apply_plan` writes it in one
transaction. `read` holds the capped, safe readers every format uses, `records` the row builders,
`checks` the one validation, `tables` what an export holds, `ketalog_json` and `csv_export` the exports.
"""
