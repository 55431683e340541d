# Estonian: day.month.year and a 24-hour clock (as Django's own et DATE/TIME formats).
DATETIME_FORMAT = "j. F Y G:i"
SHORT_DATETIME_FORMAT = "d.m.Y G:i"
YEAR_MONTH_FORMAT = "F Y"
