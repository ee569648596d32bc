"""Demo data for the Angola pilot (Portuguese, Angolan spelling). Every person and every
non-governmental organization is fictitious; government bodies carry their public names.
Data only: see ``builders`` for the logic."""

from __future__ import annotations

from core.demo.specs import ActionSpec as A
from core.demo.specs import MeetingSpec as M
from core.demo.specs import Org as O
from core.demo.specs import TenantData

FIRST_NAMES = {
    "f": ("Maria", "Ana", "Joana", "Luzia", "Esperança", "Teresa", "Helena", "Domingas", "Isabel", "Rosa",
          "Filomena", "Madalena", "Conceição", "Graça", "Celeste", "Adelaide", "Marta", "Njinga", "Wanda",
          "Luena", "Yola", "Kiesse", "Josefa", "Emília", "Verónica"),
    "m": ("João", "António", "Manuel", "Francisco", "Domingos", "Pedro", "Paulo", "José", "Fernando", "Carlos",
          "Mateus", "Alberto", "Agostinho", "Adão", "Bento", "Luís", "Miguel", "Hélder", "Osvaldo", "Edson",
          "Nelson", "Valdemar", "Jacinto", "Armando", "Sebastião"),
}

LAST_NAMES = (
    "da Silva", "dos Santos", "Fernandes", "Manuel", "Domingos", "Lopes", "Neto", "Gonçalves", "Sebastião",
    "Pedro", "Baptista", "Cassoma", "Chipenda", "Kiala", "Muanza", "Nzau", "Tchipilica", "Sapalo",
    "Capitango", "Cangombe", "Chilombo", "Mbala", "Quissanga", "Mateus", "Cardoso", "Correia", "Pinto",
    "Tavares", "Bumba", "Luvualu", "Massala", "Sambo", "Tchissingui", "Vunge", "Cahoco", "Lemos", "Quintas",
    "Canhanga", "Samakuva", "Jamba",
)

# Positions: (masculine, feminine), or one string when the title does not change.
POSITIONS = {
    "ministry": (("Director Nacional", "Directora Nacional"), "Chefe de Departamento",
                 ("Técnico Superior", "Técnica Superior"), ("Assessor", "Assessora"), "Ponto Focal para a UNTOC",
                 ("Director do Gabinete de Intercâmbio", "Directora do Gabinete de Intercâmbio")),
    "police": ("Superintendente", ("Inspector-Chefe", "Inspectora-Chefe"),
               ("Investigador Criminal", "Investigadora Criminal"), "Comandante Municipal", "Oficial de Ligação"),
    "justice": (("Procurador da República", "Procuradora da República"), ("Juiz de Direito", "Juíza de Direito"),
                ("Magistrado do Ministério Público", "Magistrada do Ministério Público"), ("Escrivão", "Escrivã")),
    "parliament": (("Deputado", "Deputada"), ("Assessor Parlamentar", "Assessora Parlamentar"),
                   ("Secretário da Comissão", "Secretária da Comissão")),
    "civil": (("Director Executivo", "Directora Executiva"), ("Coordenador de Projectos", "Coordenadora de Projectos"),
              ("Activista Comunitário", "Activista Comunitária"), "Presidente da Direcção",
              ("Técnico de Protecção da Criança", "Técnica de Protecção da Criança"), "Assistente Social"),
    "academia": (("Professor Auxiliar", "Professora Auxiliar"), ("Investigador", "Investigadora"),
                 ("Decano", "Decana"), ("Coordenador do Centro de Estudos", "Coordenadora do Centro de Estudos")),
    "business": (("Director-Geral", "Directora-Geral"), "Responsável de Conformidade",
                 ("Gestor de Sustentabilidade", "Gestora de Sustentabilidade"),
                 "Presidente do Conselho de Administração", "Jurista"),
    "media": ("Jornalista", ("Editor", "Editora"), ("Locutor", "Locutora"),
              ("Director de Informação", "Directora de Informação")),
    "international": ("Oficial de Programa", ("Coordenador Nacional", "Coordenadora Nacional"),
                      "Especialista em Protecção da Criança", "Chefe de Escritório",
                      ("Assessor Jurídico", "Assessora Jurídica")),
}

ORGANIZATIONS = (
    O("minjusdh", "Ministério da Justiça e dos Direitos Humanos", "government_ministry", "Luanda", "LUA",
      "minjusdh.gov.ao", "MINJUSDH", topics=("UNTOC", "HUMAN-RIGHTS")),
    O("mirex", "Ministério das Relações Exteriores", "government_ministry", "Luanda", "LUA", "mirex.gov.ao",
      "MIREX", topics=("CL-COOPERATION",)),
    O("minint", "Ministério do Interior", "government_ministry", "Luanda", "LUA", "minint.gov.ao", "MININT",
      topics=("CL-LAW-ENFORCEMENT", "SOM")),
    O("masfamu", "Ministério da Acção Social, Família e Promoção da Mulher", "government_ministry", "Luanda",
      "LUA", "masfamu.gov.ao", "MASFAMU", topics=("AO-CHILD-TRAFFICKING", "VICTIMS", "GENDER")),
    O("minagrif", "Ministério da Agricultura e Florestas", "government_ministry", "Luanda", "LUA",
      "minagrif.gov.ao", "MINAGRIF", topics=("AO-FLORA", "ENVIRONMENTAL")),
    O("mirempet", "Ministério dos Recursos Minerais, Petróleo e Gás", "government_ministry", "Luanda", "LUA",
      "mirempet.gov.ao", "MIREMPET", topics=("AO-ILLICIT-MINING",)),
    O("inac", "Instituto Nacional da Criança", "government_ministry", "Luanda", "LUA", "inac.gov.ao", "INAC",
      topics=("AO-CHILD-TRAFFICKING", "YOUTH")),
    O("pna", "Polícia Nacional de Angola", "law_enforcement", "Luanda", "LUA", "pna.gov.ao", "PNA",
      topics=("CL-LAW-ENFORCEMENT", "FIREARMS")),
    O("sic", "Serviço de Investigação Criminal", "law_enforcement", "Luanda", "LUA", "sic.gov.ao", "SIC",
      topics=("TIP", "AO-CHILD-TRAFFICKING", "MONEY-LAUNDERING")),
    O("sme", "Serviço de Migração e Estrangeiros", "law_enforcement", "Luanda", "LUA", "sme.gov.ao", "SME",
      topics=("SOM", "TIP")),
    O("agt", "Administração Geral Tributária — Serviço Aduaneiro", "law_enforcement", "Luanda", "LUA",
      "agt.minfin.gov.ao", "AGT", topics=("AO-FLORA", "AO-ILLICIT-MINING")),
    O("pgr", "Procuradoria-Geral da República", "prosecution_judiciary", "Luanda", "LUA", "pgr.ao", "PGR",
      topics=("CL-CRIMINALIZATION", "TIP")),
    O("tribunal", "Tribunal da Comarca de Benguela", "prosecution_judiciary", "Benguela", "BGU",
      "tribunalbenguela.gov.ao", topics=("VICTIMS",)),
    O("an", "Assembleia Nacional — 1.ª Comissão de Assuntos Constitucionais e Jurídicos", "parliament",
      "Luanda", "LUA", "parlamento.ao", topics=("CL-CRIMINALIZATION",)),
    O("amuc", "Associação Mãos Unidas pela Criança", "ngo", "Luanda", "LUA", "maosunidas.org.ao", "AMUC",
      "5417283901", ("AO-CHILD-TRAFFICKING", "VICTIMS")),
    O("rapi", "Rede Angolana de Protecção Infantil", "ngo", "Huambo", "HUA", "rapi.org.ao", "RAPI",
      "5401938274", ("AO-CHILD-TRAFFICKING", "YOUTH")),
    O("terraviva", "Associação Terra Viva — Ambiente e Comunidades", "ngo", "Uíge", "UIG", "terraviva.org.ao",
      registry="5419927364", topics=("AO-FLORA", "ENVIRONMENTAL")),
    O("olundas", "Observatório Cívico das Lundas", "ngo", "Dundo", "LNO", "observatoriolundas.org.ao", "OCL",
      "5412204718", ("AO-ILLICIT-MINING", "HUMAN-RIGHTS")),
    O("kuvanja", "Grupo Comunitário Kuvanja de Cafunfo", "community_group", "Cafunfo", "LNO",
      "kuvanja.org.ao", registry="5400381926", topics=("AO-ILLICIT-MINING", "YOUTH")),
    O("mayombe", "Associação de Camponeses do Maiombe", "community_group", "Buco-Zau", "CAB",
      "camponesesmaiombe.org.ao", registry="5403377150", topics=("AO-FLORA",)),
    O("boaesperanca", "Missão Evangélica Boa Esperança — Centro de Acolhimento", "faith_based", "Benguela",
      "BGU", "boaesperanca.org.ao", registry="5408812093", topics=("AO-CHILD-TRAFFICKING", "VICTIMS")),
    O("sintima", "Sindicato dos Trabalhadores da Indústria Mineira e Afins", "trade_union", "Saurimo", "LSU",
      "sintima.org.ao", "SINTIMA", "5410076235", ("AO-ILLICIT-MINING", "TIP")),
    O("juristas", "Associação Angolana de Juristas pelos Direitos da Criança", "professional_association",
      "Luanda", "LUA", "ajdc.org.ao", "AJDC", "5416645380", ("AO-CHILD-TRAFFICKING", "CL-CRIMINALIZATION")),
    O("kalunga", "Fundação Kalunga para a Juventude", "foundation", "Luanda", "LUA", "fundacaokalunga.org.ao",
      registry="5414456012", topics=("YOUTH",)),
    O("upc", "Universidade do Planalto Central — Centro de Estudos Jurídicos", "academia", "Huambo", "HUA",
      "cej.upc.ed.ao", "CEJ-UPC", "5402290471", ("CL-CRIMINALIZATION", "TIP")),
    O("iscf", "Instituto Superior de Ciências Florestais do Maiombe", "academia", "Cabinda", "CAB",
      "iscf.ed.ao", "ISCF", "5407715843", ("AO-FLORA", "ENVIRONMENTAL")),
    O("kwanzagemas", "Kwanza Gemas, Lda.", "private_company", "Dundo", "LNO", "kwanzagemas.co.ao",
      registry="5417009348", topics=("AO-ILLICIT-MINING",)),
    O("madeirasnorte", "Madeiras do Norte, Lda.", "private_company", "Uíge", "UIG", "madeirasdonorte.co.ao",
      registry="5411832506", topics=("AO-FLORA",)),
    O("translobito", "TransLobito Logística, S.A.", "private_company", "Lobito", "BGU", "translobito.co.ao",
      registry="5405529187", topics=("TIP", "SOM")),
    O("ccip", "Câmara de Comércio e Indústria do Planalto", "business_association", "Huambo", "HUA",
      "ccip.org.ao", "CCIP", "5409964420", ("CORRUPTION",)),
    O("aapf", "Associação Angolana de Produtores Florestais", "business_association", "Luanda", "LUA",
      "aapf.org.ao", "AAPF", "5413370659", ("AO-FLORA",)),
    O("vozdoleste", "Rádio Comunitária Voz do Leste", "media", "Saurimo", "LSU", "vozdoleste.co.ao",
      registry="5406658231", topics=("AO-ILLICIT-MINING", "YOUTH")),
    O("horizonte", "Jornal Horizonte Angolano", "media", "Luanda", "LUA", "horizonteangolano.co.ao",
      registry="5418840195", topics=("HUMAN-RIGHTS",)),
    O("unicef", "UNICEF Angola", "international_organization", "Luanda", "LUA", "angola.unicef.org",
      topics=("AO-CHILD-TRAFFICKING", "YOUTH")),
    O("oim", "Organização Internacional para as Migrações — Missão em Angola", "international_organization",
      "Luanda", "LUA", "angola.oim.int", "OIM", topics=("SOM", "TIP")),
    O("unodc", "UNODC — Escritório de Programa em Angola", "unodc_office", "Luanda", "LUA", "unodc.org.ao",
      "UNODC", topics=("UNTOC",)),
)

MEETINGS = (
    M("prep", "preparatory_consultation", "in_person",
      "Consulta preparatória com as organizações da sociedade civil", "MINJUSDH, Sala de Conferências, Luanda",
      "2024-03-14T09:00", 4,
      "1. Abertura pelo MINJUSDH e pela UNODC\n2. O que é uma Iniciativa Piloto Voluntária\n"
      "3. Levantamento das prioridades nacionais\n4. Próximos passos",
      "Participaram 22 pessoas de 17 organizações. As organizações destacaram o tráfico de crianças nas "
      "fronteiras do norte e do leste, a exploração ilegal de madeira e a mineração artesanal ilícita. "
      "Pediram que as sessões temáticas se realizem nas províncias afectadas.",
      "Três prioridades nacionais propostas: tráfico de crianças, tráfico de flora e mineração ilícita.",
      ("UNTOC", "CL-PREVENTION")),
    M("launch", "launch", "in_person", "Lançamento da Iniciativa Piloto Voluntária de Angola",
      "Centro de Convenções de Talatona, Luanda", "2024-05-22T09:00", 4,
      "1. Cerimónia de abertura\n2. Intervenção do Ministro da Justiça e dos Direitos Humanos\n"
      "3. Apresentação das prioridades nacionais\n4. Painel com a sociedade civil, a academia e o sector "
      "privado\n5. Assinatura da declaração de compromisso",
      "Estiveram presentes representantes de 11 instituições públicas e 19 organizações não governamentais. "
      "Foram adoptadas as três prioridades nacionais e criado o grupo de coordenação.",
      "Declaração de compromisso assinada; grupo de coordenação criado (MINJUSDH, MASFAMU, PGR, AMUC, "
      "Terra Viva, CCIP e UNODC).", ("UNTOC", "AO-CHILD-TRAFFICKING", "AO-FLORA", "AO-ILLICIT-MINING")),
    M("criancas", "thematic_session", "in_person", "Sessão temática: tráfico de crianças e protecção das vítimas",
      "Governo Provincial do Huambo, Salão Nobre", "2024-07-17T09:00", 5,
      "1. Situação do tráfico de crianças nas províncias\n2. Registo de nascimento e documentação\n"
      "3. Acolhimento e reintegração familiar\n4. Grupos de trabalho",
      "O INAC apresentou dados de casos sinalizados; a RAPI e a Missão Boa Esperança descreveram a falta de "
      "centros de acolhimento temporário. O SME referiu casos de crianças atravessando a fronteira sem "
      "documentos.",
      "Proposta de um mecanismo nacional de referência e de campanhas de registo de nascimento.",
      ("AO-CHILD-TRAFFICKING", "TIP", "VICTIMS")),
    M("flora", "thematic_session", "hybrid", "Sessão temática: tráfico de flora protegida e exploração ilegal de madeira",
      "Governo Provincial de Cabinda, Sala de Reuniões", "2024-09-12T09:30", 4,
      "1. Exploração ilegal no Maiombe\n2. Licenciamento e fiscalização\n3. Rastreabilidade da madeira "
      "exportada\n4. Papel das comunidades",
      "As comunidades do Maiombe relataram cortes nocturnos de espécies protegidas. O MINAGRIF e a AGT "
      "explicaram os procedimentos de licenciamento e de controlo aduaneiro; a AAPF apoiou um sistema "
      "de rastreabilidade.",
      "Acordo para um piloto de rastreabilidade da madeira e para formar fiscais comunitários.",
      ("AO-FLORA", "ENVIRONMENTAL")),
    M("mineracao", "thematic_session", "in_person", "Sessão temática: mineração ilícita de diamantes e ouro",
      "Dundo, Lunda Norte", "2024-11-06T09:00", 5,
      "1. Garimpo ilegal e redes criminosas\n2. Trabalho infantil nas zonas mineiras\n"
      "3. Certificação e comércio legal\n4. Alternativas económicas para os jovens",
      "O Observatório Cívico das Lundas apresentou um estudo sobre jovens no garimpo. O MIREMPET e a "
      "Kwanza Gemas discutiram a certificação do Processo de Kimberley e o controlo das cadeias de "
      "comercialização.",
      "Propostas de acções sobre trabalho infantil nas minas, formação profissional e investigação "
      "financeira.", ("AO-ILLICIT-MINING", "YOUTH", "MONEY-LAUNDERING")),
    M("formacao", "training_workshop", "in_person",
      "Formação sobre identificação e encaminhamento de crianças vítimas de tráfico",
      "Centro de Formação Judiciária, Benguela", "2025-02-25T08:30", 7,
      "1. Indicadores de tráfico de crianças\n2. Entrevista adaptada à criança\n"
      "3. Encaminhamento para serviços de protecção\n4. Estudo de caso",
      "Foram formados 35 agentes da PNA, do SME, técnicos do INAC e assistentes sociais das organizações.",
      "Lista provincial de contactos de encaminhamento elaborada.", ("AO-CHILD-TRAFFICKING", "VICTIMS")),
    M("ccpcj", "side_event", "in_person",
      "Evento paralelo: a Iniciativa Piloto de Angola na Comissão de Prevenção do Crime e Justiça Penal",
      "Centro Internacional de Viena, Áustria", "2025-05-13T13:10", 1.5,
      "1. Apresentação do MINJUSDH\n2. Intervenção de uma organização parceira\n3. Perguntas e respostas",
      "Cerca de 50 participantes. Foram apresentadas as três prioridades e o roteiro comum.",
      "Manifestado interesse de dois países da região em conhecer a metodologia.", ("UNTOC",), "Europe/Vienna"),
    M("dialogo", "national_dialogue", "hybrid", "Diálogo nacional sobre a implementação da UNTOC e dos seus Protocolos",
      "Centro de Convenções de Talatona, Luanda", "2025-05-28T09:00", 6,
      "1. Balanço do primeiro ano do roteiro\n2. Quadro legal: revisão do Código Penal e lei sobre tráfico\n"
      "3. Financiamento das acções conjuntas\n4. Participação das províncias",
      "O MINJUSDH apresentou o estado das acções do roteiro. A 1.ª Comissão da Assembleia Nacional "
      "informou sobre a revisão legislativa em curso. As organizações pediram mais recursos para as províncias.",
      "Roteiro actualizado e compromisso de realizar reuniões provinciais semestrais.",
      ("UNTOC", "CL-CRIMINALIZATION")),
    M("construtivo", "constructive_dialogue", "hybrid",
      "Diálogo construtivo no âmbito do Mecanismo de Revisão da UNTOC", "MIREX, Luanda", "2025-07-09T10:00", 3,
      "1. Situação da revisão de Angola\n2. Contributos das partes interessadas não governamentais\n"
      "3. Perguntas às autoridades",
      "O MIREX informou sobre o questionário de auto-avaliação. A AJDC e a UPC entregaram contributos escritos "
      "sobre o grupo temático de cooperação internacional.",
      "Contributos anexados ao relatório nacional; calendário de retorno acordado.",
      ("UNTOC", "CL-COOPERATION")),
    M("financeira", "training_workshop", "in_person",
      "Oficina sobre investigação financeira e cooperação transfronteiriça no sector mineiro",
      "Saurimo, Lunda Sul", "2025-09-16T09:00", 6,
      "1. Circuitos financeiros do comércio ilícito de diamantes\n2. Cooperação com países vizinhos\n"
      "3. Apreensão e perda de bens",
      "Participaram investigadores do SIC, magistrados da PGR e técnicos aduaneiros. O SINTIMA alertou "
      "para a pressão exercida sobre os trabalhadores das cooperativas mineiras.",
      "Grupo de trabalho sobre investigação financeira criado.", ("AO-ILLICIT-MINING", "MONEY-LAUNDERING")),
    M("revisao25", "roadmap_review", "hybrid", "Revisão anual do roteiro comum 2025",
      "MINJUSDH, Sala de Conferências, Luanda", "2025-11-26T09:00", 4,
      "1. Estado das acções conjuntas\n2. Acções bloqueadas\n3. Novas propostas\n4. Prioridades para 2026",
      "Foram revistas 24 acções; duas estão bloqueadas por falta de financiamento e uma foi descontinuada.",
      "Roteiro 2026 aprovado com novas acções sobre exploração sexual de crianças em linha.", ("UNTOC",)),
    M("online", "thematic_session", "online", "Sessão temática: exploração sexual de crianças em linha",
      "Videoconferência", "2026-04-15T10:00", 3,
      "1. Aliciamento de crianças nas redes sociais\n2. Cooperação com operadores de telecomunicações\n"
      "3. Prevenção nas escolas",
      "O SIC apresentou casos recentes; a Fundação Kalunga apresentou um programa de educação digital.",
      "Proposta de guia para escolas e de um canal de denúncia.",
      ("AO-CHILD-TRAFFICKING", "CYBERCRIME", "YOUTH")),
    M("revisao26", "roadmap_review", "hybrid", "Revisão do roteiro comum 2026",
      "MINJUSDH, Sala de Conferências, Luanda", "2026-12-03T09:00", 4,
      "1. Balanço do ciclo 2024-2026\n2. Acções concluídas e lições aprendidas\n3. Próxima fase", topics=("UNTOC",)),
    M("rastreio", "training_workshop", "in_person", "Formação sobre rastreabilidade da madeira para fiscais",
      "Instituto Superior de Ciências Florestais do Maiombe, Cabinda", "2026-12-10T08:30", 6,
      "1. Espécies protegidas\n2. Guias de transporte e marcação\n3. Exercício de campo", topics=("AO-FLORA",)),
)

ACTIONS = (
    A("Mecanismo nacional de referência para crianças vítimas de tráfico", "Definir os procedimentos e os "
      "pontos focais para identificar, acolher e encaminhar crianças vítimas de tráfico em todas as províncias.",
      "in_progress", "masfamu", ("amuc", "rapi", "boaesperanca"), "criancas", "2026-12-31",
      ("AO-CHILD-TRAFFICKING", "VICTIMS")),
    A("Campanha de registo de nascimento nas províncias fronteiriças", "Campanhas móveis de registo civil no "
      "Zaire, Uíge, Lunda Norte e Cunene, com informação sobre riscos de tráfico.",
      "completed", "minjusdh", ("rapi", "kuvanja"), "criancas", "2025-10-31", ("AO-CHILD-TRAFFICKING",)),
    A("Centros de acolhimento temporário em Benguela e no Huambo", "Reabilitar e equipar dois centros de "
      "acolhimento temporário geridos em parceria com organizações religiosas e comunitárias.",
      "blocked", "inac", ("boaesperanca", "rapi"), "criancas", "2025-12-31", ("AO-CHILD-TRAFFICKING", "VICTIMS"),
      (("2025-11-26", "Sem dotação orçamental em 2025; a procurar financiamento de parceiros."),)),
    A("Formação de agentes de fronteira sobre tráfico de crianças", "Módulo de formação para agentes do SME e "
      "da PNA nos postos fronteiriços sobre indicadores de tráfico e encaminhamento.",
      "completed", "sme", ("amuc", "juristas"), "criancas", "2025-06-30", ("AO-CHILD-TRAFFICKING", "SOM")),
    A("Lista provincial de contactos de encaminhamento", "Publicar e actualizar semestralmente a lista de "
      "contactos de protecção da criança por província.",
      "completed", "inac", ("rapi",), "formacao", "2025-09-30", ("AO-CHILD-TRAFFICKING", "VICTIMS")),
    A("Linha de apoio à criança com atendimento em línguas nacionais", "Alargar a linha de apoio à criança "
      "com atendimento em umbundu, kimbundu, kikongo e cokwe.",
      "agreed", "masfamu", ("amuc", "kalunga"), "formacao", "2026-10-31", ("AO-CHILD-TRAFFICKING", "YOUTH")),
    A("Guia de entrevista adaptada à criança para magistrados", "Guia prático para magistrados e "
      "investigadores sobre audição de crianças vítimas, evitando a revitimização.",
      "in_progress", "pgr", ("juristas", "upc"), "formacao", "2026-06-30", ("VICTIMS", "CL-LAW-ENFORCEMENT")),
    A("Piloto de rastreabilidade da madeira exportada", "Sistema de marcação e guias electrónicas para "
      "madeira de espécies protegidas, testado em Cabinda e no Uíge.",
      "in_progress", "minagrif", ("aapf", "madeirasnorte", "iscf"), "flora", "2026-09-30",
      ("AO-FLORA", "ENVIRONMENTAL")),
    A("Formação de fiscais comunitários no Maiombe", "Formar 60 fiscais comunitários para monitorizar e "
      "denunciar cortes ilegais, com protocolo de segurança.",
      "completed", "minagrif", ("mayombe", "terraviva"), "flora", "2025-08-31", ("AO-FLORA",)),
    A("Controlo aduaneiro reforçado da madeira no porto de Cabinda", "Perfis de risco e inspecções conjuntas "
      "das exportações de madeira, com partilha de informação com as associações do sector.",
      "agreed", "agt", ("aapf",), "flora", "2026-08-31", ("AO-FLORA", "CL-LAW-ENFORCEMENT")),
    A("Mapa participativo das áreas de exploração ilegal", "Mapa actualizado com informação das comunidades "
      "sobre focos de exploração ilegal de madeira.",
      "discontinued", "minagrif", ("terraviva",), "flora", "2025-06-30", ("AO-FLORA",),
      (("2025-05-28", "Substituído pelo piloto de rastreabilidade, que inclui o mapeamento."),)),
    A("Estudo sobre jovens no garimpo ilegal", "Estudo qualitativo sobre o recrutamento de jovens para o "
      "garimpo nas Lundas e as redes que o organizam.",
      "completed", "mirempet", ("olundas", "upc"), "mineracao", "2025-09-30", ("AO-ILLICIT-MINING", "YOUTH")),
    A("Formação profissional como alternativa ao garimpo", "Cursos de formação profissional para jovens de "
      "Cafunfo e Saurimo em parceria com empresas e fundações.",
      "in_progress", "mirempet", ("kalunga", "kuvanja", "kwanzagemas"), "mineracao", "2026-12-31",
      ("AO-ILLICIT-MINING", "YOUTH")),
    A("Fiscalização do trabalho infantil nas zonas mineiras", "Inspecções conjuntas e canal de denúncia "
      "sobre trabalho infantil nas zonas de exploração artesanal.",
      "blocked", "minint", ("sintima", "olundas"), "mineracao", "2026-03-31",
      ("AO-ILLICIT-MINING", "AO-CHILD-TRAFFICKING"),
      (("2026-02-10", "Aguarda a definição das competências entre as inspecções envolvidas."),)),
    A("Código de conduta para compradores de diamantes", "Código de conduta e lista de verificação de "
      "origem para comerciantes e compradores de diamantes.",
      "agreed", "mirempet", ("kwanzagemas", "ccip"), "mineracao", "2026-09-30",
      ("AO-ILLICIT-MINING", "CORRUPTION")),
    A("Grupo de trabalho sobre investigação financeira", "Grupo permanente SIC-PGR-AGT para seguir os "
      "circuitos financeiros do comércio ilícito de minerais.",
      "in_progress", "sic", ("upc",), "financeira", "2026-12-31", ("AO-ILLICIT-MINING", "MONEY-LAUNDERING")),
    A("Programas de rádio sobre os riscos do garimpo", "Série de programas de rádio em cokwe e português "
      "sobre riscos do garimpo e do tráfico de pessoas.",
      "completed", "minint", ("vozdoleste", "olundas"), "mineracao", "2025-12-31", ("AO-ILLICIT-MINING", "TIP")),
    A("Proposta de lei sobre tráfico de seres humanos", "Contributos das organizações para a proposta de lei "
      "de prevenção e combate ao tráfico de seres humanos.",
      "in_progress", "minjusdh", ("juristas", "amuc", "upc"), "dialogo", "2026-11-30",
      ("TIP", "CL-CRIMINALIZATION")),
    A("Reuniões provinciais semestrais do roteiro", "Realizar reuniões do roteiro comum no Huambo, em "
      "Benguela e nas Lundas, com participação das organizações locais.",
      "in_progress", "minjusdh", ("rapi", "olundas", "boaesperanca"), "dialogo", "2026-12-31", ("UNTOC",)),
    A("Fundo de apoio às acções conjuntas", "Mobilizar recursos de parceiros para financiar pequenas acções "
      "das organizações da sociedade civil.",
      "proposed", "minjusdh", ("kalunga",), "dialogo", "2027-03-31", ("UNTOC",)),
    A("Contributos da sociedade civil para a revisão de Angola", "Recolher e apresentar contributos escritos "
      "sobre os grupos temáticos do Mecanismo de Revisão.",
      "completed", "mirex", ("juristas", "upc"), "construtivo", "2025-09-30", ("UNTOC", "CL-COOPERATION")),
    A("Guia para escolas sobre segurança em linha", "Guia e sessões para professores sobre aliciamento de "
      "crianças nas redes sociais e como denunciar.",
      "proposed", "inac", ("kalunga", "rapi"), "online", "2027-02-28",
      ("AO-CHILD-TRAFFICKING", "CYBERCRIME")),
    A("Canal de denúncia de exploração sexual de crianças em linha", "Canal de denúncia com operadores de "
      "telecomunicações e encaminhamento para o SIC.",
      "proposed", "sic", ("amuc",), "online", "2027-06-30", ("CYBERCRIME", "AO-CHILD-TRAFFICKING")),
    A("Guia para jornalistas sobre cobertura do tráfico", "Guia sobre protecção da identidade das vítimas e "
      "linguagem adequada na cobertura do tráfico de pessoas.",
      "agreed", "minjusdh", ("horizonte", "vozdoleste"), "revisao25", "2026-09-30", ("TIP", "VICTIMS")),
    A("Sensibilização de transportadores no corredor do Lobito", "Sessões para motoristas e empresas de "
      "transporte sobre sinais de tráfico de crianças ao longo do corredor do Lobito.",
      "proposed", "minint", ("translobito", "ccip"), "revisao25", "2027-04-30",
      ("AO-CHILD-TRAFFICKING", "TIP")),
    A("Sítio informativo próprio do roteiro", "Criar um sítio na Internet dedicado ao roteiro comum.",
      "discontinued", "minjusdh", ("horizonte",), "launch", "2025-03-31", ("UNTOC",),
      (("2025-02-20", "Decidido usar a plataforma da Iniciativa Piloto em vez de um sítio próprio."),)),
)

PROGRESS_NOTES = {
    "start": (
        "Primeira reunião de trabalho: acordado o plano e designados os pontos focais de cada parte.",
        "Constituída a equipa de trabalho e aprovado o cronograma.",
        "As partes assinaram a acta de arranque com responsáveis e prazos.",
    ),
    "progress": (
        "Concluído o diagnóstico inicial e partilhado com as organizações parceiras.",
        "Versão preliminar revista em reunião conjunta; incorporados os comentários da sociedade civil.",
        "Realizada a primeira sessão de formação com boa participação.",
        "Cerca de 60 % concluído; ajustado o calendário da fase seguinte.",
    ),
    "blocked": (
        "Sem avanços: aguarda-se a disponibilização de verbas.",
        "Suspensa até ao parecer da área jurídica.",
    ),
    "done": (
        "Produto final entregue e validado por ambas as partes.",
        "Resultado final apresentado ao grupo de coordenação.",
    ),
    "stopped": ("O grupo de coordenação decidiu não prosseguir com esta acção.",),
}

PHONES = {
    "": ("+244 92# ### ###", "+244 93# ### ###", "+244 94# ### ###", "+244 99# ### ###"),
    "LUA": ("+244 92# ### ###", "+244 93# ### ###", "+244 94# ### ###", "+244 222 ### ###"),
}

ACCOUNT_NAMES = {
    "coordinator": "Coordenação nacional (demonstração)",
    "government": "Participante governamental (demonstração)",
    "ngo": "Participante não governamental (demonstração)",
    "observer": "Observador (demonstração)",
}

DATA = TenantData(
    slug="ago",
    locale="pt",
    timezone="Africa/Luanda",
    phone_templates=PHONES,
    org_fields={"region": "ao_province", "registry": "ao_nif"},
    contact_fields={"region": "ao_province"},
    action_fields={},
    first_names=FIRST_NAMES,
    last_names=LAST_NAMES,
    surnames=(1, 2, 2),
    positions=POSITIONS,
    organizations=ORGANIZATIONS,
    meetings=MEETINGS,
    actions=ACTIONS,
    progress_notes=PROGRESS_NOTES,
    account_names=ACCOUNT_NAMES,
)
