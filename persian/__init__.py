"""Pure helpers for Persian text, digits, the Jalali calendar and Iranian identifiers.

No models and no settings: everything here is a plain function, tested on its own
(``tests/persian``). Apps call these helpers; this package imports nothing from them.
It is an installed app only so that its template filters are found.
"""
