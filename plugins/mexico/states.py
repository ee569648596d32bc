"""The 32 federal entities of Mexico (31 states and Mexico City), keyed by ISO 3166-2 code.

Labels are proper nouns: the msgid is the official Spanish name (``Estado de México`` rather than the
bare ``México``, to tell the state from the country).
"""

from __future__ import annotations

from core.plugin_api import N_, Choice

STATES = (
    Choice("AGU", N_("Aguascalientes")),
    Choice("BCN", N_("Baja California")),
    Choice("BCS", N_("Baja California Sur")),
    Choice("CAM", N_("Campeche")),
    Choice("CHP", N_("Chiapas")),
    Choice("CHH", N_("Chihuahua")),
    Choice("CMX", N_("Ciudad de México")),
    Choice("COA", N_("Coahuila de Zaragoza")),
    Choice("COL", N_("Colima")),
    Choice("DUR", N_("Durango")),
    Choice("GUA", N_("Guanajuato")),
    Choice("GRO", N_("Guerrero")),
    Choice("HID", N_("Hidalgo")),
    Choice("JAL", N_("Jalisco")),
    Choice("MEX", N_("Estado de México")),
    Choice("MIC", N_("Michoacán de Ocampo")),
    Choice("MOR", N_("Morelos")),
    Choice("NAY", N_("Nayarit")),
    Choice("NLE", N_("Nuevo León")),
    Choice("OAX", N_("Oaxaca")),
    Choice("PUE", N_("Puebla")),
    Choice("QUE", N_("Querétaro")),
    Choice("ROO", N_("Quintana Roo")),
    Choice("SLP", N_("San Luis Potosí")),
    Choice("SIN", N_("Sinaloa")),
    Choice("SON", N_("Sonora")),
    Choice("TAB", N_("Tabasco")),
    Choice("TAM", N_("Tamaulipas")),
    Choice("TLA", N_("Tlaxcala")),
    Choice("VER", N_("Veracruz de Ignacio de la Llave")),
    Choice("YUC", N_("Yucatán")),
    Choice("ZAC", N_("Zacatecas")),
)
