"""Demo data for the Mexico pilot (Spanish). Every person and every non-governmental organization is
fictitious; government bodies carry their public names. Data only: see ``builders`` for the logic."""

from __future__ import annotations

from core.demo.specs import ActionSpec as A
from core.demo.specs import MeetingSpec as M
from core.demo.specs import Org as O
from core.demo.specs import TenantData

FIRST_NAMES = {
    "f": ("María", "Guadalupe", "Ana", "Fernanda", "Alejandra", "Ximena", "Sofía", "Valeria", "Daniela",
          "Mariana", "Paola", "Gabriela", "Itzel", "Citlali", "Lucía", "Renata", "Karla", "Montserrat", "Brenda",
          "Adriana", "Yolanda", "Elena", "Patricia", "Verónica", "Rosa", "Nayeli"),
    "m": ("Juan", "José", "Luis", "Carlos", "Jorge", "Miguel", "Ricardo", "Héctor", "Arturo", "Eduardo",
          "Rodrigo", "Emiliano", "Raúl", "Óscar", "Andrés", "Rogelio", "Alfonso", "Iván", "Tomás", "Mauricio",
          "Gerardo", "Diego", "Salvador", "Javier"),
}

LAST_NAMES = (
    "Hernández", "García", "Martínez", "López", "González", "Pérez", "Rodríguez", "Sánchez", "Ramírez",
    "Cruz", "Flores", "Gómez", "Morales", "Vázquez", "Reyes", "Jiménez", "Torres", "Díaz", "Gutiérrez",
    "Ruiz", "Mendoza", "Aguilar", "Ortiz", "Moreno", "Castillo", "Romero", "Álvarez", "Méndez", "Chávez",
    "Rivera", "Juárez", "Ramos", "Domínguez", "Herrera", "Medina", "Castro", "Vargas", "Guzmán", "Velázquez",
    "Salazar", "Estrada", "Cervantes", "Bautista", "Zamora", "Villalobos", "Ochoa", "Tapia", "Cuevas",
    "Santiago", "Xolalpa",
)

# Positions: (masculine, feminine), or one string when the title does not change.
POSITIONS = {
    "ministry": (("Director General", "Directora General"), ("Director de Área", "Directora de Área"),
                 ("Subdirector de Asuntos Multilaterales", "Subdirectora de Asuntos Multilaterales"),
                 ("Jefe de Departamento", "Jefa de Departamento"), ("Coordinador de Asesores", "Coordinadora de Asesores"),
                 "Enlace de Alto Nivel"),
    "police": ("Comisario", ("Inspector", "Inspectora"), ("Jefe de la Unidad de Análisis", "Jefa de la Unidad de Análisis"),
               "Suboficial de Enlace", ("Coordinador de Capacitación", "Coordinadora de Capacitación")),
    "justice": (("Fiscal Especializado", "Fiscal Especializada"), "Agente del Ministerio Público",
                ("Magistrado", "Magistrada"), ("Juez de Control", "Jueza de Control"),
                ("Secretario de Acuerdos", "Secretaria de Acuerdos")),
    "parliament": (("Diputado Federal", "Diputada Federal"), ("Senador", "Senadora"),
                   ("Secretario Técnico de Comisión", "Secretaria Técnica de Comisión"),
                   ("Asesor Legislativo", "Asesora Legislativa")),
    "civil": (("Director Ejecutivo", "Directora Ejecutiva"), ("Coordinador de Programas", "Coordinadora de Programas"),
              "Oficial de Incidencia", "Responsable de Atención a Víctimas", ("Promotor Comunitario", "Promotora Comunitaria"),
              ("Presidente del Consejo", "Presidenta del Consejo")),
    "academia": (("Profesor Investigador", "Profesora Investigadora"), ("Investigador Titular", "Investigadora Titular"),
                 ("Coordinador de Posgrado", "Coordinadora de Posgrado"),
                 ("Director del Centro de Estudios", "Directora del Centro de Estudios")),
    "business": ("Gerente de Cumplimiento", ("Director de Sostenibilidad", "Directora de Sostenibilidad"),
                 ("Jefe de Riesgos en Cadena de Suministro", "Jefa de Riesgos en Cadena de Suministro"),
                 ("Presidente", "Presidenta"), ("Director Jurídico", "Directora Jurídica")),
    "media": (("Reportero de Investigación", "Reportera de Investigación"), ("Editor", "Editora"),
              ("Productor", "Productora"), ("Director General", "Directora General")),
    "international": ("Oficial de Programa", ("Coordinador Nacional", "Coordinadora Nacional"),
                      ("Asesor Técnico", "Asesora Técnica"), ("Jefe de Oficina", "Jefa de Oficina"),
                      ("Asociado de Proyectos", "Asociada de Proyectos")),
}

ORGANIZATIONS = (
    O("sre", "Secretaría de Relaciones Exteriores", "government_ministry", "Ciudad de México", "CMX",
      "sre.gob.mx", "SRE", topics=("UNTOC", "CL-COOPERATION")),
    O("segob", "Secretaría de Gobernación", "government_ministry", "Ciudad de México", "CMX", "segob.gob.mx",
      "SEGOB", topics=("TIP", "HUMAN-RIGHTS")),
    O("sspc", "Secretaría de Seguridad y Protección Ciudadana", "government_ministry", "Ciudad de México",
      "CMX", "sspc.gob.mx", "SSPC", topics=("MX-FIREARMS", "FIREARMS", "CL-LAW-ENFORCEMENT")),
    O("semarnat", "Secretaría de Medio Ambiente y Recursos Naturales", "government_ministry",
      "Ciudad de México", "CMX", "semarnat.gob.mx", "SEMARNAT", topics=("MX-ENVIRONMENT", "ENVIRONMENTAL")),
    O("inm", "Instituto Nacional de Migración", "government_ministry", "Ciudad de México", "CMX",
      "inm.gob.mx", "INM", topics=("MX-MIGRATION-YOUTH", "SOM")),
    O("stps", "Secretaría del Trabajo y Previsión Social", "government_ministry", "Ciudad de México", "CMX",
      "stps.gob.mx", "STPS", topics=("MX-SUPPLY-CHAINS", "TIP")),
    O("gn", "Guardia Nacional", "law_enforcement", "Ciudad de México", "CMX", "gn.gob.mx", "GN",
      topics=("MX-FIREARMS", "MX-MIGRATION-YOUTH", "FIREARMS", "SOM")),
    O("profepa", "Procuraduría Federal de Protección al Ambiente", "law_enforcement", "Ciudad de México",
      "CMX", "profepa.gob.mx", "PROFEPA", topics=("MX-ENVIRONMENT", "ENVIRONMENTAL")),
    O("sspnl", "Secretaría de Seguridad del Estado de Nuevo León", "law_enforcement", "Monterrey", "NLE",
      "seguridad.nl.gob.mx", topics=("MX-FIREARMS", "FIREARMS", "CYBERCRIME")),
    O("fgr", "Fiscalía General de la República", "prosecution_judiciary", "Ciudad de México", "CMX",
      "fgr.org.mx", "FGR", topics=("MX-FIREARMS", "CL-CRIMINALIZATION", "FIREARMS")),
    O("fevimtra", "Fiscalía Especial para los Delitos de Violencia contra las Mujeres y Trata de Personas",
      "prosecution_judiciary", "Ciudad de México", "CMX", "fevimtra.fgr.org.mx", "FEVIMTRA",
      topics=("MX-VICTIMS", "TIP", "GENDER", "VICTIMS")),
    O("pjchh", "Poder Judicial del Estado de Chihuahua", "prosecution_judiciary", "Chihuahua", "CHH",
      "stj.chihuahua.gob.mx", topics=("MX-VICTIMS", "VICTIMS")),
    O("senado", "Senado de la República — Comisión de Derechos Humanos", "parliament", "Ciudad de México",
      "CMX", "senado.gob.mx", topics=("HUMAN-RIGHTS", "TIP")),
    O("redpuentes", "Red Puentes por la Infancia, A.C.", "ngo", "Ciudad de México", "CMX",
      "redpuentes.org.mx", "Red Puentes", topics=("MX-VICTIMS", "MX-MIGRATION-YOUTH", "TIP", "YOUTH", "VICTIMS")),
    O("fronteradigna", "Colectivo Frontera Digna, A.C.", "ngo", "Tijuana", "BCN", "fronteradigna.org.mx",
      topics=("MX-MIGRATION-YOUTH", "SOM", "HUMAN-RIGHTS")),
    O("itzel", "Centro de Acompañamiento a Víctimas Itzel, A.C.", "ngo", "Ciudad Juárez", "CHH",
      "centroitzel.org.mx", "CAVI", topics=("MX-VICTIMS", "VICTIMS", "GENDER")),
    O("ocav", "Observatorio Ciudadano sobre Armas y Violencia, A.C.", "ngo", "Guadalajara", "JAL",
      "ocav.org.mx", "OCAV", topics=("MX-FIREARMS", "FIREARMS")),
    O("guardianes", "Comité Comunitario Guardianes del Bosque de San Isidro", "community_group",
      "San Isidro Yolox, Oaxaca", "OAX", "guardianesdelbosque.org.mx", topics=("MX-ENVIRONMENT", "ENVIRONMENTAL")),
    O("juventud", "Red Vecinal Juventud en Movimiento", "community_group", "Monterrey", "NLE",
      "juventudenmovimiento.org.mx", topics=("MX-MIGRATION-YOUTH", "YOUTH")),
    O("santacecilia", "Casa del Migrante Santa Cecilia", "faith_based", "Tapachula", "CHP",
      "casasantacecilia.org.mx", topics=("MX-VICTIMS", "MX-MIGRATION-YOUTH", "SOM", "VICTIMS")),
    O("sinatat", "Sindicato Nacional de Trabajadores Agrícolas Temporales", "trade_union", "Autlán de Navarro", "JAL",
      "sinatat.org.mx", "SINATAT", topics=("MX-SUPPLY-CHAINS", "TIP")),
    O("peritos", "Colegio Nacional de Peritos en Balística, A.C.", "professional_association",
      "Ciudad de México", "CMX", "colegioperitos.org.mx", "CONAPEB", topics=("MX-FIREARMS", "FIREARMS")),
    O("horizonte", "Fundación Horizonte Joven", "foundation", "Monterrey", "NLE", "horizontejoven.org.mx",
      registry="FHJ120604RT2", topics=("MX-MIGRATION-YOUTH", "YOUTH")),
    O("unisureste", "Universidad Autónoma del Sureste — Centro de Estudios Migratorios", "academia",
      "Mérida", "YUC", "cem.unisureste.edu.mx", "CEM-UAS", topics=("MX-MIGRATION-YOUTH", "SOM")),
    O("itnorte", "Instituto Tecnológico del Norte — Laboratorio de Ciberseguridad", "academia", "Monterrey",
      "NLE", "ciberlab.itnorte.edu.mx", topics=("CYBERCRIME",)),
    O("lpe", "Logística Pacífico Express, S.A. de C.V.", "private_company", "Guadalajara", "JAL",
      "pacificoexpress.com.mx", "LPE", "LPE150312KQ4", ("MX-SUPPLY-CHAINS", "TIP")),
    O("maderas", "Maderas Certificadas del Sur, S.A. de C.V.", "private_company", "Oaxaca de Juárez", "OAX",
      "maderascertificadas.com.mx", registry="MCS090827AB3", topics=("MX-ENVIRONMENT", "ENVIRONMENTAL")),
    O("aurora", "Textiles Aurora del Bajío, S.A. de C.V.", "private_company", "Guadalajara", "JAL",
      "textilesaurora.com.mx", registry="TAB980115H29", topics=("MX-SUPPLY-CHAINS", "TIP")),
    O("ceics", "Consejo Empresarial para la Integridad en Cadenas de Suministro, A.C.", "business_association",
      "Ciudad de México", "CMX", "ceics.org.mx", "CEICS", "CEI180522HN7", ("MX-SUPPLY-CHAINS", "TIP", "CORRUPTION")),
    O("carganorte", "Cámara Regional del Autotransporte de Carga del Norte", "business_association",
      "Monterrey", "NLE", "carganorte.org.mx", registry="CRA110404MN8", topics=("MX-FIREARMS", "MX-MIGRATION-YOUTH", "SOM", "FIREARMS")),
    O("farogolfo", "El Faro del Golfo (diario digital)", "media", "Veracruz", "VER", "farodelgolfo.com.mx",
      topics=("HUMAN-RIGHTS",)),
    O("vocessierra", "Radio Comunitaria Voces de la Sierra", "media", "Chilpancingo", "GRO",
      "vocesdelasierra.org.mx", topics=("MX-MIGRATION-YOUTH", "YOUTH")),
    O("oim", "Organización Internacional para las Migraciones — Misión en México",
      "international_organization", "Ciudad de México", "CMX", "mexico.oim.int", "OIM", topics=("MX-MIGRATION-YOUTH", "SOM")),
    O("onudh", "Oficina en México del Alto Comisionado de las Naciones Unidas para los Derechos Humanos",
      "international_organization", "Ciudad de México", "CMX", "hchr.org.mx", "ONU-DH",
      topics=("HUMAN-RIGHTS",)),
    O("unodc", "Oficina de Enlace y Partenariado de la UNODC en México", "unodc_office", "Ciudad de México",
      "CMX", "unodc.org.mx", "UNODC", topics=("UNTOC",)),
)

MEETINGS = (
    M("prep", "preparatory_consultation", "in_person",
      "Consulta preparatoria con organizaciones de la sociedad civil", "SRE, Torre Tlatelolco, Sala Bicentenario",
      "2024-02-20T10:00", 4,
      "1. Bienvenida de la SRE y de la UNODC\n2. Balance de la primera fase de la Iniciativa Piloto\n"
      "3. Propuestas de prioridades para la segunda fase\n4. Calendario de trabajo",
      "Participaron 24 personas de 18 organizaciones. Las organizaciones pidieron sesiones temáticas fuera "
      "de la capital y un mecanismo claro de seguimiento de compromisos. La SRE presentó el calendario "
      "preliminar y la UNODC la metodología del Mecanismo de Examen.",
      "Lista preliminar de cinco prioridades nacionales; acuerdo de celebrar sesiones temáticas en Tijuana, "
      "Guadalajara y Oaxaca.", ("UNTOC", "CL-PREVENTION")),
    M("launch", "launch", "hybrid", "Lanzamiento de la segunda fase de la Iniciativa Piloto Voluntaria",
      "Museo Memoria y Tolerancia, Ciudad de México", "2024-04-16T09:30", 3.5,
      "1. Palabras de apertura de la SRE\n2. Mensaje de la UNODC\n3. Presentación de las prioridades nacionales\n"
      "4. Panel: sociedad civil, academia y sector privado frente a la delincuencia organizada\n5. Firma de la "
      "declaración de compromiso",
      "Asistieron representantes de 12 dependencias federales y 20 organizaciones no gubernamentales; 140 "
      "personas siguieron la transmisión en línea. Se presentaron las cinco prioridades nacionales y se firmó "
      "la declaración de compromiso.",
      "Declaración de compromiso firmada; prioridades nacionales adoptadas; grupo de coordinación "
      "integrado por SRE, SEGOB, FGR, Red Puentes, CEICS y la UNODC.", ("UNTOC",)),
    M("armas", "thematic_session", "online", "Sesión temática: flujos ilícitos de armas de fuego",
      "Plataforma de videoconferencia", "2024-06-11T10:00", 3,
      "1. Panorama de los flujos de armas hacia México\n2. Rastreo y registro balístico\n"
      "3. Papel del transporte de carga y de las aduanas\n4. Propuestas de acciones conjuntas",
      "La SSPC presentó datos de aseguramientos; OCAV y el Colegio de Peritos señalaron rezagos en el "
      "registro balístico estatal. La Cámara del Autotransporte ofreció capacitar a operadores para "
      "identificar cargamentos sospechosos.",
      "Tres acciones conjuntas propuestas sobre rastreo, capacitación a transportistas y datos abiertos.",
      ("MX-FIREARMS", "FIREARMS", "CL-LAW-ENFORCEMENT")),
    M("migracion", "thematic_session", "hybrid",
      "Sesión temática: migración circular, juventudes y tráfico ilícito de migrantes",
      "Centro Cultural Tijuana, Baja California", "2024-08-22T09:00", 5,
      "1. Rutas y riesgos para adolescentes migrantes\n2. Reclutamiento de jóvenes por redes de tráfico\n"
      "3. Protección consular y canales regulares\n4. Mesas de trabajo",
      "Las casas del migrante describieron casos de adolescentes reclutados como guías. El INM y la OIM "
      "expusieron los programas de movilidad laboral temporal. Se subrayó la necesidad de información "
      "accesible en lenguas indígenas.",
      "Acuerdo para elaborar materiales informativos multilingües y un protocolo de canalización de "
      "adolescentes en riesgo.", ("MX-MIGRATION-YOUTH", "SOM", "YOUTH")),
    M("cadenas", "training_workshop", "in_person",
      "Taller: debida diligencia en cadenas de suministro frente a la trata laboral",
      "Cámara de Comercio de Guadalajara, Jalisco", "2024-10-08T09:00", 7,
      "1. Indicadores de trabajo forzoso\n2. Auditorías sociales y sus límites\n3. Mecanismos de queja para "
      "trabajadores\n4. Estudio de caso: sector agrícola de exportación",
      "Participaron 31 personas de empresas, sindicatos y autoridades laborales. El SINATAT compartió "
      "testimonios de jornaleros temporales; la STPS explicó el protocolo de inspección.",
      "Guía práctica de debida diligencia en elaboración; piloto de mecanismo de quejas en dos empresas.",
      ("MX-SUPPLY-CHAINS", "TIP")),
    M("victimas", "national_dialogue", "in_person", "Diálogo nacional sobre protección de víctimas de trata de personas",
      "Senado de la República, Ciudad de México", "2025-02-12T09:00", 6,
      "1. Modelo de atención integral\n2. Refugios y financiamiento\n3. Reparación del daño\n"
      "4. Participación de sobrevivientes",
      "La FEVIMTRA y las organizaciones coincidieron en la falta de refugios especializados fuera de la "
      "capital. El Poder Judicial de Chihuahua presentó su experiencia en reparación del daño.",
      "Compromiso de revisar el modelo de atención y de mapear refugios por entidad federativa.",
      ("MX-VICTIMS", "TIP", "VICTIMS", "GENDER")),
    M("ambiente", "thematic_session", "in_person", "Sesión temática: delitos que afectan el medio ambiente",
      "Ciudad Administrativa, Oaxaca de Juárez", "2025-04-09T10:00", 4,
      "1. Tala ilegal y tráfico de especies\n2. Vigilancia comunitaria\n3. Trazabilidad de la madera\n"
      "4. Protección de personas defensoras",
      "El comité comunitario de San Isidro presentó su red de monitoreo. PROFEPA explicó los operativos "
      "conjuntos y la empresa Maderas Certificadas su sistema de trazabilidad.",
      "Propuesta de mesa permanente sobre trazabilidad forestal y protocolo de protección para defensores.",
      ("MX-ENVIRONMENT", "ENVIRONMENTAL", "HUMAN-RIGHTS")),
    M("constructivo", "constructive_dialogue", "hybrid",
      "Diálogo constructivo en el marco del Mecanismo de Examen de la UNTOC", "SRE, Ciudad de México",
      "2025-06-18T10:00", 3,
      "1. Avance del examen de México\n2. Contribuciones de actores no gubernamentales\n"
      "3. Preguntas a las autoridades",
      "La SRE informó el estado de las respuestas al cuestionario de autoevaluación. Las organizaciones "
      "presentaron aportaciones escritas sobre el grupo temático de prevención y asistencia técnica.",
      "Aportaciones de la sociedad civil incorporadas como anexo; calendario de retroalimentación acordado.",
      ("UNTOC", "CL-PREVENTION")),
    M("cop", "side_event", "hybrid",
      "Evento paralelo en la Conferencia de las Partes: la experiencia de la Iniciativa Piloto de México",
      "Centro Internacional de Viena, Austria", "2024-10-16T13:15", 1.5,
      "1. Presentación de la SRE\n2. Testimonio de una organización participante\n3. Preguntas del público",
      "Más de 60 delegados asistieron. Se presentó la hoja de ruta y los primeros resultados.",
      "Interés de tres delegaciones en replicar la metodología.", ("UNTOC",), "Europe/Vienna"),
    M("revision25", "roadmap_review", "hybrid", "Revisión anual de la hoja de ruta 2025",
      "SRE, Torre Tlatelolco, Ciudad de México", "2025-11-19T09:30", 4,
      "1. Estado de las acciones conjuntas\n2. Acciones bloqueadas y cómo destrabarlas\n"
      "3. Nuevas propuestas\n4. Prioridades para 2026",
      "Se revisaron 24 acciones: la mayoría avanza según lo previsto; dos están bloqueadas por falta de "
      "presupuesto. Se propusieron nuevas acciones sobre ciberdelincuencia.",
      "Hoja de ruta actualizada; dos acciones reprogramadas y una descontinuada.", ("UNTOC",)),
    M("juarez", "training_workshop", "in_person",
      "Taller de identificación de víctimas para primeros respondientes", "Ciudad Juárez, Chihuahua",
      "2026-03-10T09:00", 6,
      "1. Indicadores de trata\n2. Entrevista con enfoque de trauma\n3. Canalización a servicios\n"
      "4. Ejercicio práctico",
      "Se capacitó a 42 elementos de seguridad pública y personal de albergues. El Centro Itzel condujo el "
      "ejercicio práctico.",
      "Directorio local de canalización actualizado.", ("MX-VICTIMS", "TIP", "VICTIMS")),
    M("ciber", "thematic_session", "online",
      "Sesión temática: ciberdelincuencia y reclutamiento de adolescentes en línea", "Plataforma de videoconferencia",
      "2026-11-26T10:00", 3,
      "1. Patrones de reclutamiento en redes sociales\n2. Cooperación con plataformas digitales\n"
      "3. Prevención en escuelas", topics=("MX-MIGRATION-YOUTH", "CYBERCRIME", "YOUTH")),
    M("revision26", "roadmap_review", "hybrid", "Revisión de la hoja de ruta 2026 y cierre de ciclo",
      "SRE, Torre Tlatelolco, Ciudad de México", "2026-12-08T09:30", 4,
      "1. Balance del ciclo 2024-2026\n2. Acciones completadas y lecciones aprendidas\n"
      "3. Propuesta de tercera fase", topics=("UNTOC",)),
)

ACTIONS = (
    A("Rastreo conjunto de armas aseguradas", "Establecer un procedimiento para que cada arma asegurada se "
      "registre y se solicite su rastreo en un plazo de 30 días, con reportes trimestrales a las organizaciones.",
      "completed", "sspc", ("ocav", "peritos"), "armas", "2025-06-30", ("MX-FIREARMS", "FIREARMS")),
    A("Capacitación a operadores de autotransporte sobre cargamentos sospechosos", "Curso en línea y guía de "
      "bolsillo para que operadores identifiquen y reporten posibles cargamentos de armas o personas.",
      "in_progress", "gn", ("carganorte",), "armas", "2026-12-31", ("MX-FIREARMS", "MX-MIGRATION-YOUTH", "FIREARMS", "SOM")),
    A("Datos abiertos sobre aseguramiento de armas por entidad", "Publicar trimestralmente, en formato abierto, "
      "los aseguramientos de armas de fuego por entidad federativa y tipo de arma.",
      "blocked", "sspc", ("ocav", "itnorte"), "armas", "2025-12-31", ("MX-FIREARMS", "FIREARMS"),
      (("2025-09-15", "Pendiente la autorización de la unidad de transparencia para publicar datos "
                      "desagregados."),)),
    A("Fortalecimiento del registro balístico estatal en Nuevo León", "Diagnóstico de capacidades y plan de "
      "mejora del registro balístico estatal, con apoyo técnico del Colegio de Peritos.",
      "agreed", "sspnl", ("peritos",), "armas", "2026-10-31", ("MX-FIREARMS", "FIREARMS", "CL-LAW-ENFORCEMENT")),
    A("Materiales informativos multilingües para adolescentes migrantes", "Elaborar carteles, cápsulas de radio "
      "y tarjetas en español, inglés, k'iche', mam y tsotsil sobre riesgos del tráfico y canales regulares.",
      "completed", "inm", ("santacecilia", "fronteradigna", "vocessierra"), "migracion", "2025-05-31",
      ("MX-MIGRATION-YOUTH", "SOM", "YOUTH")),
    A("Protocolo de canalización de adolescentes en riesgo de reclutamiento", "Protocolo interinstitucional "
      "para que albergues y autoridades migratorias canalicen a adolescentes a servicios de protección.",
      "in_progress", "segob", ("fronteradigna", "redpuentes"), "migracion", "2026-06-30", ("MX-MIGRATION-YOUTH", "SOM", "YOUTH")),
    A("Programa de movilidad laboral temporal con enfoque de protección", "Incorporar información sobre derechos "
      "laborales y señales de trata en los programas de movilidad laboral temporal.",
      "proposed", "stps", ("sinatat",), "migracion", "2027-03-31", ("MX-MIGRATION-YOUTH", "MX-SUPPLY-CHAINS", "TIP", "SOM")),
    A("Guía de debida diligencia contra la trata laboral", "Guía práctica para empresas exportadoras sobre "
      "identificación de riesgos de trabajo forzoso en proveedores.",
      "completed", "stps", ("ceics", "aurora", "sinatat"), "cadenas", "2025-08-31", ("MX-SUPPLY-CHAINS", "TIP")),
    A("Mecanismo de quejas para trabajadores agrícolas", "Piloto de un mecanismo confidencial de quejas en dos "
      "empresas, con acompañamiento sindical y seguimiento de la inspección del trabajo.",
      "in_progress", "stps", ("sinatat", "lpe"), "cadenas", "2026-09-30", ("MX-SUPPLY-CHAINS", "TIP")),
    A("Cláusulas contra la trata en contratos de transporte", "Modelo de cláusulas contractuales para "
      "empresas de logística que prohíban el uso de mano de obra forzosa en subcontratistas.",
      "agreed", "segob", ("lpe", "ceics"), "cadenas", "2026-08-31", ("MX-SUPPLY-CHAINS", "TIP", "CORRUPTION")),
    A("Mapa nacional de refugios para víctimas de trata", "Mapear refugios especializados por entidad "
      "federativa, su capacidad y sus fuentes de financiamiento.",
      "completed", "fevimtra", ("redpuentes", "itzel"), "victimas", "2025-09-30", ("MX-VICTIMS", "TIP", "VICTIMS")),
    A("Revisión del modelo de atención integral a víctimas", "Revisar el modelo con participación de "
      "sobrevivientes y organizaciones especializadas, y proponer ajustes operativos.",
      "in_progress", "segob", ("itzel", "redpuentes", "santacecilia"), "victimas", "2026-12-31",
      ("MX-VICTIMS", "VICTIMS", "GENDER")),
    A("Fondo de reparación del daño para víctimas de trata", "Propuesta de reforma para un fondo de reparación "
      "con reglas de operación transparentes.",
      "blocked", "senado", ("itzel",), "victimas", "2026-04-30", ("MX-VICTIMS", "VICTIMS", "CL-CRIMINALIZATION"),
      (("2025-11-19", "La iniciativa no fue dictaminada en el periodo ordinario; se buscará en el siguiente."),)),
    A("Criterios judiciales sobre reparación del daño", "Compilar y difundir criterios del Poder Judicial de "
      "Chihuahua sobre reparación del daño en casos de trata.",
      "completed", "pjchh", ("itzel", "unisureste"), "victimas", "2025-10-31", ("MX-VICTIMS", "VICTIMS")),
    A("Mesa permanente de trazabilidad forestal", "Mesa trimestral entre autoridades ambientales, comunidades "
      "y empresas para dar seguimiento a la trazabilidad de la madera.",
      "in_progress", "semarnat", ("guardianes", "maderas"), "ambiente", "2026-12-31", ("MX-ENVIRONMENT", "ENVIRONMENTAL")),
    A("Protocolo de protección para personas defensoras ambientales", "Protocolo de análisis de riesgo y "
      "medidas de protección para integrantes de comités de vigilancia comunitaria.",
      "agreed", "segob", ("guardianes", "farogolfo"), "ambiente", "2026-09-30",
      ("MX-ENVIRONMENT", "ENVIRONMENTAL", "HUMAN-RIGHTS")),
    A("Operativos conjuntos con vigilancia comunitaria", "Canal seguro para que los comités comunitarios "
      "reporten tala ilegal y reciban retroalimentación de PROFEPA.",
      "discontinued", "profepa", ("guardianes",), "ambiente", "2025-12-31", ("MX-ENVIRONMENT", "ENVIRONMENTAL"),
      (("2025-11-19", "Se sustituye por la mesa permanente de trazabilidad, que cubre el mismo objetivo."),)),
    A("Aportaciones de la sociedad civil al examen de México", "Reunir y presentar aportaciones escritas de "
      "organizaciones no gubernamentales sobre los grupos temáticos del Mecanismo de Examen.",
      "completed", "sre", ("redpuentes", "unisureste", "ceics"), "constructivo", "2025-09-30", ("UNTOC",)),
    A("Difusión de los resultados del examen", "Foros regionales para presentar las conclusiones del examen "
      "y recoger propuestas de seguimiento.",
      "proposed", "sre", ("unisureste", "farogolfo"), "constructivo", "2027-02-28", ("UNTOC",)),
    A("Laboratorio de prevención del reclutamiento en línea", "Investigación aplicada sobre patrones de "
      "reclutamiento de adolescentes en redes sociales y materiales para escuelas.",
      "proposed", "sspc", ("itnorte", "juventud"), "revision25", "2027-06-30", ("MX-MIGRATION-YOUTH", "CYBERCRIME", "YOUTH")),
    A("Guía periodística sobre cobertura de trata y tráfico", "Guía para medios sobre lenguaje, protección de "
      "fuentes y de víctimas en la cobertura de trata y tráfico de migrantes.",
      "in_progress", "segob", ("farogolfo", "vocessierra"), "revision25", "2026-07-31",
      ("MX-VICTIMS", "MX-MIGRATION-YOUTH", "TIP", "SOM", "VICTIMS")),
    A("Programa de mentoría juvenil en colonias prioritarias", "Programa de mentoría y empleo juvenil en "
      "colonias de Monterrey con altos índices de reclutamiento.",
      "in_progress", "sspnl", ("horizonte", "juventud"), "migracion", "2026-11-30", ("MX-MIGRATION-YOUTH", "YOUTH")),
    A("Directorio local de canalización en Ciudad Juárez", "Actualizar el directorio de servicios de atención "
      "a víctimas para primeros respondientes.",
      "completed", "pjchh", ("itzel",), "juarez", "2026-06-30", ("MX-VICTIMS", "VICTIMS")),
    A("Curso en línea para ministerios públicos sobre trata", "Curso autodirigido sobre investigación con "
      "enfoque en víctimas para agentes del Ministerio Público.",
      "agreed", "fgr", ("unisureste", "redpuentes"), "victimas", "2026-10-31", ("MX-VICTIMS", "TIP", "CL-LAW-ENFORCEMENT")),
    A("Registro de organizaciones participantes en la hoja de ruta", "Micrositio público con las organizaciones "
      "participantes y el avance de cada acción conjunta.",
      "discontinued", "sre", ("ceics",), "launch", "2025-03-31", ("UNTOC",),
      (("2025-02-28", "Se decidió usar la plataforma de la Iniciativa Piloto en lugar de un micrositio propio."),)),
    A("Integridad en aduanas y cadenas logísticas", "Intercambio de buenas prácticas entre empresas de "
      "logística y autoridades sobre prevención de la corrupción en puntos de revisión.",
      "proposed", "sspc", ("carganorte", "lpe", "ceics"), "revision25", "2027-04-30", ("MX-SUPPLY-CHAINS", "MX-FIREARMS", "CORRUPTION", "FIREARMS")),
)

PROGRESS_NOTES = {
    "start": (
        "Primera reunión de trabajo: se acordó el plan y se designaron enlaces de cada parte.",
        "Se integró el equipo de trabajo y se aprobó el cronograma.",
        "Las partes firmaron la minuta de arranque con responsables y fechas.",
    ),
    "progress": (
        "Se concluyó el diagnóstico inicial y se compartió con las organizaciones participantes.",
        "Borrador revisado en reunión conjunta; se incorporaron comentarios de la sociedad civil.",
        "Se realizó la primera sesión de capacitación con buena participación.",
        "Avance de alrededor del 60 %; se ajustó el calendario de la siguiente etapa.",
    ),
    "blocked": (
        "Sin avance: se espera la asignación presupuestal para continuar.",
        "Detenida hasta que la unidad jurídica emita su opinión.",
    ),
    "done": (
        "Producto final entregado y validado por ambas partes.",
        "Se presentó el resultado final en el grupo de coordinación.",
    ),
    "stopped": (
        "El grupo de coordinación acordó no continuar con esta acción.",
    ),
}

# Local numbers (area code of each state's main city); Mexico dials 10 digits after +52.
PHONES = {
    "": ("+52 55 #### ####",),
    "CMX": ("+52 55 #### ####",),
    "JAL": ("+52 33 #### ####",),
    "NLE": ("+52 81 #### ####",),
    "CHH": ("+52 656 ### ####", "+52 614 ### ####"),
    "BCN": ("+52 664 ### ####",),
    "OAX": ("+52 951 ### ####",),
    "CHP": ("+52 962 ### ####",),
    "GRO": ("+52 747 ### ####",),
    "VER": ("+52 229 ### ####",),
    "YUC": ("+52 999 ### ####",),
}

# Axis of the National Development Plan each action contributes to, by its first matching topic.
PND_AXIS = {"MX-ENVIRONMENT": "sustainable", "MX-SUPPLY-CHAINS": "economy", "MX-MIGRATION-YOUTH": "wellbeing",
            "MX-VICTIMS": "wellbeing", "": "governance"}

ACCOUNT_NAMES = {
    "coordinator": "Coordinación nacional (demostración)",
    "government": "Participante gubernamental (demostración)",
    "ngo": "Participante no gubernamental (demostración)",
    "observer": "Observador (demostración)",
}

DATA = TenantData(
    slug="mex",
    locale="es",
    timezone="America/Mexico_City",
    phone_templates=PHONES,
    org_fields={"region": "mx_state", "registry": "mx_rfc"},
    contact_fields={"region": "mx_state"},
    action_fields={"mx_pnd_axis": PND_AXIS},
    first_names=FIRST_NAMES,
    last_names=LAST_NAMES,
    surnames=(2,),
    positions=POSITIONS,
    organizations=ORGANIZATIONS,
    meetings=MEETINGS,
    actions=ACTIONS,
    progress_notes=PROGRESS_NOTES,
    account_names=ACCOUNT_NAMES,
)
