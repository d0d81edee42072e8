"""Django-free compute core: identifiers, text, classification, scoring, matching."""
