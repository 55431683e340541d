"""Date and time formats where Django's own for a language are missing or unfit for a help desk
(``FORMAT_MODULE_PATH``); every format not set here is Django's for that language.

- et: Django sets no date-time formats for Estonian, so times showed the American "m/d/Y P".
- en: month-first numeric dates ("12/06/2026") are read the other way round by most of the world;
  the month's name and a 24-hour clock cannot be misread.
"""
