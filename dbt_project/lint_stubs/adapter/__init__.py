"""dbt's `adapter` for sqlfluff's jinja templater (dbt_project/.sqlfluff, library_path), which
renders the models without dbt: `adapter.dispatch('lk_x')` gives the DuckDB version of a
dialect macro (`default__lk_x`), so the models lint as DuckDB SQL."""

import jinja2


@jinja2.pass_context
def dispatch(context, name, macro_namespace=None):
    return context.resolve("default__" + name)
