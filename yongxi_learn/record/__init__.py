"""学法档案: each person's year of legal study, for themselves and their personnel file."""
