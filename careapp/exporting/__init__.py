"""Writing customers out: spreadsheet-safe CSV, vCard 4.0 and JSON. Pure functions, no database."""

from careapp.exporting.csv_export import CSV_COLUMNS, customers_to_csv
from careapp.exporting.json_export import customer_to_json
from careapp.exporting.vcard_export import UID_NAMESPACE, customers_to_vcard

__all__ = ["CSV_COLUMNS", "UID_NAMESPACE", "customer_to_json", "customers_to_csv", "customers_to_vcard"]
