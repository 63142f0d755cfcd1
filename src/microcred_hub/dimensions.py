"""What statistics group by and summarise: the names of the API's enums, mapped to the index.

Kept apart from the index (which loads numpy) so the command line can name them cheaply.
"""

from __future__ import annotations

#: Dimension name (the GraphQL enum) -> the index's postings field holding its keys
DIMENSIONS: dict[str, str] = {
    "SOURCE": "source",
    "ISSUER_COUNTRY": "issuerCountry",
    "EQF_LEVEL": "eqfLevel",
    "CREDENTIAL_TYPE": "credentialType",
    "PARTICIPATION_FORM": "participationForm",
    "ASSESSMENT_TYPE": "assessmentType",
    "LANGUAGE": "language",
    "STATUS": "status",
    "STACKABILITY": "stackability",
    "QUALITY_ASSURED": "qualityAssured",
    "FRAMEWORK_LISTED": "frameworkListed",
    "VALID_FROM_YEAR": "validFromYear",
    "UPDATED_MONTH": "updatedMonth",
}
#: NumericField name (the GraphQL enum) -> the index column it reads
NUMERIC_FIELDS: dict[str, str] = {"HOURS": "hours", "ECTS": "ects", "COMPLETENESS": "completeness"}
DEFAULT_MAX_GROUPS = 1000
