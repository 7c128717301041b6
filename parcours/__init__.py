"""Parcours: the information system of the Écoles de la Deuxième Chance."""
