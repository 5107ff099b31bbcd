"""The weekly summary, its workbook and chart, and the metrics they count."""
