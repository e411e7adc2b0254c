"""``python -m keepwild`` runs the command line."""

from keepwild.cli import main

main()
