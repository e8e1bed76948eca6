"""SOAP services described by a WSDL kept under ``standards/wsdl`` (zeep, imported on first use)."""
