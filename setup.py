"""Package discovery pyproject.toml cannot express: connectors/ is microcred_hub_connectors."""

from setuptools import find_packages, setup

connector_packages = [
    "microcred_hub_connectors" + ("." + name if name else "")
    for name in ["", *find_packages("connectors", exclude=["*.tests", "*.tests.*", "tests"])]
]
setup(
    packages=[*find_packages("src"), *connector_packages],
    package_dir={"": "src", "microcred_hub_connectors": "connectors"},
)
