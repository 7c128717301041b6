"""Spreadsheet import of a school's existing trainees (people, enrolments, exits).

``parsing`` reads the file (XLSX or CSV) into a header and rows, ``columns`` holds the column
layout and the code tables, ``validation`` turns rows into checked records (every problem
found, by row and column, in French), ``services.import_enrolments`` writes them all or
nothing. See ``docs/import.md``.
"""
