"""Articles written for the main-text measurement, in English and Portuguese: title, author, date, paragraphs."""

ARTICLES = [
    {
        "lang": "en",
        "slug": "chip-startup-raises",
        "title": "Chip startup Cerebras raises $1.1 billion ahead of listing",
        "author": "Dana Whitfield",
        "date": "2025-09-30",
        "paragraphs": [
            "Cerebras Systems said on Tuesday that it had raised $1.1 billion in a funding round led by Fidelity, "
            "weeks before the wafer-scale chip maker was expected to file again for a public listing in New York.",
            "The company builds processors the size of a dinner plate and sells time on them through its own cloud. "
            "Its executives argue that large language models answer faster on one giant chip than on racks of "
            "smaller accelerators wired together.",
            "Cerebras competes with NVIDIA for inference work, a market that has grown as companies move from "
            "training models to serving them to millions of users every day.",
            "Analysts at two banks said the new money gives the firm room to expand its data centres in Oklahoma "
            "and Montreal, where it has signed power contracts for the next decade.",
            "The round values the company at about $8 billion, according to a person familiar with the terms who "
            "asked not to be named because the figure has not been made public.",
        ],
    },
    {
        "lang": "en",
        "slug": "mistral-model-release",
        "title": "Mistral releases an open model trained on European data centres",
        "author": "Priya Raman",
        "date": "2025-06-11",
        "paragraphs": [
            "Mistral AI released a new open-weight model on Wednesday, saying it had been trained entirely on "
            "computers located in France and Sweden rather than on rented capacity in the United States.",
            "The Paris-based startup said the model handles code, French legal text and long documents better "
            "than its previous release, and that developers can download the weights under a permissive licence.",
            "Chief executive Arthur Mensch told reporters that regional computing capacity had become a question "
            "of sovereignty for European governments and for the banks that buy the company's services.",
            "The release comes a month after the company opened an office in Singapore, its first in Asia, to "
            "serve customers who want to run models on their own servers.",
        ],
    },
    {
        "lang": "en",
        "slug": "cloud-deal-oracle",
        "title": "Oracle signs cloud deal to host xAI training runs",
        "author": "Tom Okafor",
        "date": "2025-03-18",
        "paragraphs": [
            "Oracle has agreed to host training runs for xAI on clusters in its Texas and Utah regions, the two "
            "companies said, in a contract that people close to the talks put at several billion dollars over "
            "three years.",
            "The deal adds to a backlog that has made Oracle one of the fastest-growing suppliers of rented "
            "graphics processors, after years in which its cloud trailed far behind the market leaders.",
            "xAI, which is led by Elon Musk, already runs a large cluster of its own in Memphis, but said the "
            "extra capacity would let it train two models at once.",
            "Shares of Oracle rose four per cent in early trading. The company will report quarterly results "
            "next week and is expected to raise its spending forecast again.",
        ],
    },
    {
        "lang": "pt",
        "slug": "startup-brasileira-capta",
        "title": "Startup brasileira de IA capta R$ 150 milhões com fundo japonês",
        "author": "Mariana Tavares",
        "date": "2025-05-07",
        "paragraphs": [
            "A startup paulistana Dharma Labs anunciou nesta quarta-feira que captou R$ 150 milhões numa rodada "
            "liderada pelo SoftBank, com participação de dois fundos locais que já eram seus acionistas.",
            "A empresa desenvolve assistentes de atendimento em português para bancos e operadoras de saúde, e "
            "diz que os seus modelos entendem gírias regionais melhor do que as ferramentas estrangeiras.",
            "Segundo o fundador, o dinheiro será usado para contratar engenheiros em Recife e em Porto Alegre e "
            "para alugar capacidade de processamento em centros de dados no interior de São Paulo.",
            "O setor de inteligência artificial recebeu no ano passado o maior volume de investimento de risco "
            "da sua história no país, de acordo com uma associação de fundos.",
        ],
    },
    {
        "lang": "pt",
        "slug": "governo-centro-de-dados",
        "title": "Governo anuncia centro de dados público para pesquisa em IA no Nordeste",
        "author": "Rafael Quintela",
        "date": "2025-08-21",
        "paragraphs": [
            "O governo federal anunciou nesta quinta-feira a construção de um centro de dados público no Ceará, "
            "destinado a universidades e institutos que pesquisam inteligência artificial.",
            "A estrutura terá processadores da NVIDIA e será operada em parceria com a Rede Nacional de Ensino e "
            "Pesquisa, que já administra a conexão das universidades federais.",
            "O ministério estima que as primeiras máquinas entrem em funcionamento no segundo semestre do ano "
            "que vem, depois de uma licitação que deve atrair empresas nacionais e estrangeiras.",
            "Pesquisadores ouvidos pela reportagem elogiaram a escolha da região, onde chegam vários cabos "
            "submarinos, mas lembraram que o orçamento de ciência sofreu cortes nos últimos anos.",
        ],
    },
    {
        "lang": "pt",
        "slug": "banco-modelo-proprio",
        "title": "Banco lança modelo de linguagem próprio treinado em chips da AMD",
        "author": "Luísa Ferraz",
        "date": "2025-11-03",
        "paragraphs": [
            "O Itaú Unibanco apresentou nesta segunda-feira um modelo de linguagem próprio, treinado em chips da "
            "AMD instalados num centro de dados do banco em Mogi Mirim.",
            "O modelo será usado primeiro por analistas de crédito e pela equipe jurídica, que passam boa parte "
            "do dia lendo contratos e relatórios longos em português.",
            "Executivos do banco disseram que a decisão de treinar um sistema interno veio de exigências de "
            "sigilo: os dados dos clientes não podem sair da infraestrutura da instituição.",
            "A concorrência entre os grandes bancos por especialistas em aprendizado de máquina elevou os "
            "salários da área, segundo consultorias de recrutamento.",
        ],
    },
]
