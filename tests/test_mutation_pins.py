"""Pins of derived constants and decision rules that the mutation testing (docs/mutation.md) found unguarded."""
