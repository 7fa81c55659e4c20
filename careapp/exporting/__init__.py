"""Writing customers out: spreadsheet-safe CSV, vCard 4.0 and JSON. Pure functions, no database."""

from careapp.exporting.csv_export import CSV_COLUMNS, customers_to_csv, write_customers_csv
from careapp.exporting.json_export import customer_to_json, write_json_list
from careapp.exporting.vcard_export import UID_NAMESPACE, customers_to_vcard, write_customers_vcard

__all__ = [
    "CSV_COLUMNS",
    "UID_NAMESPACE",
    "customer_to_json",
    "customers_to_csv",
    "customers_to_vcard",
    "write_customers_csv",
    "write_customers_vcard",
    "write_json_list",
]
