"""homelang: translation pipeline for school-district family communications."""

__version__ = "0.1.0.dev0"
