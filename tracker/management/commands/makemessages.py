"""Django's makemessages, knowing Steady's habits: `gettext_lazy as _lazy` (forms and choices
that are built at import time next to `gettext as _`) is a translation too, and a new string
arrives untranslated rather than fuzzy-matched to a neighbour (tests/test_catalogs.py refuses
fuzzy entries, and a guessed neighbour's words are worse than none)."""

from django.core.management.commands import makemessages


class Command(makemessages.Command):
    xgettext_options = [*makemessages.Command.xgettext_options, "--keyword=_lazy"]
    msgmerge_options = [*makemessages.Command.msgmerge_options, "--no-fuzzy-matching"]
