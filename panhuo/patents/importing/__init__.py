"""Patent bulk import (批量建档): the `patents` handler of the import framework, found by autodiscovery."""

from panhuo.patents.importing.handler import PatentImportHandler

__all__ = ["PatentImportHandler"]
