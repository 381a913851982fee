"""SDK-neutral dialogs: ``open`` gives a card; ``submit`` gives a command or field errors."""
