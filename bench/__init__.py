"""CORE's benchmark harness: ``python -m bench`` measures the service's cost per call.

It builds scaled-up demo data sets on SQLite and PostgreSQL, calls the WSGI
application in-process and over HTTP under ``core serve``, counts the queries
of each call, measures a PHP ``SoapServer`` reference and CORE on Spyne's own
serializer beside it, and prints where each target stands.
"""
