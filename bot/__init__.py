"""SoMe-coach: a coach bot for the course 'Sosiale medier'."""

__version__ = "0.1.0"
__all__ = ["__version__"]
