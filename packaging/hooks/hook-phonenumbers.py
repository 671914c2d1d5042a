"""Takes the place of the stock hook: phonenumbers loads each region's metadata by name,
so its submodules are all collected, except the geocoder, carrier and time-zone lookups
with their 40 MB of data, which the app never uses."""

from PyInstaller.utils.hooks import collect_submodules

UNUSED = (
    "phonenumbers.geo",
    "phonenumbers.carrier",
    "phonenumbers.timezone",
    "phonenumbers.tzdata",
)

hiddenimports = collect_submodules("phonenumbers", filter=lambda name: not name.startswith(UNUSED))
