"""The 18 provinces of Angola (division in force until the 2024 reform), keyed by ISO 3166-2 code.

Labels are proper nouns: the msgid is the official Portuguese name.
"""

from __future__ import annotations

from core.plugin_api import N_, Choice

PROVINCES = (
    Choice("BGO", N_("Bengo")),
    Choice("BGU", N_("Benguela")),
    Choice("BIE", N_("Bié")),
    Choice("CAB", N_("Cabinda")),
    Choice("CCU", N_("Cuando Cubango")),
    Choice("CNO", N_("Cuanza Norte")),
    Choice("CUS", N_("Cuanza Sul")),
    Choice("CNN", N_("Cunene")),
    Choice("HUA", N_("Huambo")),
    Choice("HUI", N_("Huíla")),
    Choice("LUA", N_("Luanda")),
    Choice("LNO", N_("Lunda Norte")),
    Choice("LSU", N_("Lunda Sul")),
    Choice("MAL", N_("Malanje")),
    Choice("MOX", N_("Moxico")),
    Choice("NAM", N_("Namibe")),
    Choice("UIG", N_("Uíge")),
    Choice("ZAI", N_("Zaire")),
)
