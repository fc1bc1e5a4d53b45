"""People vocabulary of the demo data: name pools, job titles with seniority and department, email shapes.

Seniority codes (`contacts.seniority`): c_level, vp, director, manager, individual_contributor, student.
"""

from __future__ import annotations

import numpy as np


def distinct_words(words: str) -> np.ndarray:
    """Distinct words, first occurrence order (pools are indexed, so repeats would skew draws)."""
    return np.array(list(dict.fromkeys(words.split())))


FIRST_NAMES = distinct_words(
    """James Mary Robert Patricia John Jennifer Michael Linda David Elizabeth William Barbara Richard Susan
    Joseph Jessica Thomas Sarah Christopher Karen Daniel Lisa Matthew Nancy Anthony Sandra Mark Ashley
    Steven Emily Andrew Michelle Joshua Amanda Kevin Melissa Brian Stephanie Ryan Rebecca Jacob Laura
    Nicholas Hannah Eric Megan Jonathan Rachel Justin Olivia Samuel Emma Benjamin Sophia Lucas Mia Noah
    Charlotte Oliver Amelia Liam Isabella Ethan Ava Alexander Grace Henry Chloe Sebastian Zoe Gabriel Lily
    Leon Lena Felix Anna Lukas Marie Jonas Sophie Maximilian Laura Paul Clara Elias Hanna Finn Lea Moritz
    Julia Louis Camille Hugo Manon Arthur Chloe Jules Ines Raphael Jade Matteo Giulia Lorenzo Chiara
    Alessandro Francesca Leonardo Sofia Pablo Lucia Alejandro Carmen Javier Elena Diego Paula Mateo Valeria
    Santiago Camila Joao Beatriz Pedro Mariana Rafael Larissa Lars Ingrid Erik Astrid Nils Freja Piotr
    Katarzyna Tomasz Agnieszka Jan Eva Pieter Sanne Daan Femke Sean Aoife Ciaran Niamh Raj Priya Arjun
    Ananya Vikram Kavya Rohan Aisha Amit Neha Wei Li Jing Chen Hiroshi Yuki Kenji Aiko Min-jun Seo-yeon
    Ji-woo Haruto Sakura Mohammed Fatima Omar Layla Ahmed Mariam Yusuf Amina Kwame Ama Chinedu Ngozi Tunde
    Zanele Thabo Ayodele Dmitri Olga Ivan Natalia Mehmet Elif Can Zeynep"""
)

LAST_NAMES = distinct_words(
    """Smith Johnson Williams Brown Jones Garcia Miller Davis Rodriguez Martinez Hernandez Lopez Gonzalez
    Wilson Anderson Thomas Taylor Moore Jackson Martin Lee Perez Thompson White Harris Sanchez Clark
    Ramirez Lewis Robinson Walker Young Allen King Wright Scott Torres Nguyen Hill Flores Green Adams
    Nelson Baker Hall Rivera Campbell Mitchell Carter Roberts Gomez Phillips Evans Turner Diaz Parker Cruz
    Edwards Collins Reyes Stewart Morris Morales Murphy Cook Rogers Gutierrez Ortiz Morgan Cooper Peterson
    Bailey Reed Kelly Howard Ramos Kim Cox Ward Richardson Watson Brooks Chavez Wood James Bennett Gray
    Mendoza Ruiz Hughes Price Alvarez Castillo Sanders Patel Myers Long Ross Foster Jimenez Powell Jenkins
    Perry Russell Sullivan Bell Coleman Butler Henderson Barnes Fisher Vasquez Simmons Graham Marshall
    Owens Harrison Gibson Kennedy Wells Muller Schmidt Schneider Fischer Weber Meyer Wagner Becker Schulz
    Hoffmann Koch Richter Klein Wolf Neumann Schwarz Zimmermann Braun Hofmann Dubois Durand Lefebvre Moreau
    Laurent Simon Michel Leroy Roux David Bertrand Morel Fournier Girard Bonnet Rossi Russo Ferrari
    Esposito Bianchi Romano Colombo Ricci Marino Greco Bruno Gallo Conti Fernandez Gonzales Sanz Navarro
    Romero Molina Silva Santos Oliveira Souza Costa Pereira Almeida Carvalho Ferreira Andersson Johansson
    Karlsson Nilsson Larsson Hansen Jensen Nielsen Kowalski Nowak Wisniewski Wojcik Kaminski Jansen
    DeVries VanDijk Bakker Visser Smit Murphy Byrne Walsh OBrien Ryan Sharma Singh Kumar Gupta Reddy Iyer
    Mehta Shah Rao Wang Zhang Liu Chen Yang Huang Zhao Wu Zhou Tanaka Suzuki Sato Takahashi Watanabe Ito
    Yamamoto Park Choi Jung Kang Cho Yoon Khan Ali Hussain Rahman Hassan Ibrahim Mensah Okafor Adeyemi
    Okonkwo Mwangi Dlamini Nkosi Ivanov Petrov Smirnov Yilmaz Kaya Demir Celik Sahin Cohen Levi Friedman"""
)

SENIORITIES = ("c_level", "vp", "director", "manager", "individual_contributor", "student")

# (title, seniority, department, weight within its seniority)
TITLES: tuple[tuple[str, str, str, float], ...] = (
    ("Chief Executive Officer", "c_level", "Executive", 3.0),
    ("CEO & Co-Founder", "c_level", "Executive", 2.0),
    ("Chief Revenue Officer", "c_level", "Sales", 2.0),
    ("Chief Marketing Officer", "c_level", "Marketing", 2.0),
    ("Chief Technology Officer", "c_level", "Engineering", 1.5),
    ("Chief Information Officer", "c_level", "IT", 1.0),
    ("Chief Financial Officer", "c_level", "Finance", 1.0),
    ("Chief Operating Officer", "c_level", "Operations", 1.0),
    ("Chief People Officer", "c_level", "HR", 0.5),
    ("VP of Sales", "vp", "Sales", 3.0),
    ("VP Marketing", "vp", "Marketing", 3.0),
    ("VP Demand Generation", "vp", "Marketing", 1.5),
    ("VP Revenue Operations", "vp", "Revenue Operations", 1.5),
    ("VP Engineering", "vp", "Engineering", 1.5),
    ("VP Customer Success", "vp", "Customer Success", 1.0),
    ("VP Finance", "vp", "Finance", 0.7),
    ("VP Operations", "vp", "Operations", 0.8),
    ("VP People", "vp", "HR", 0.4),
    ("Director of Sales", "director", "Sales", 2.5),
    ("Director of Marketing", "director", "Marketing", 2.5),
    ("Director, Demand Generation", "director", "Marketing", 1.5),
    ("Director of Revenue Operations", "director", "Revenue Operations", 1.5),
    ("Director of Sales Operations", "director", "Revenue Operations", 1.0),
    ("Director of Engineering", "director", "Engineering", 1.2),
    ("IT Director", "director", "IT", 1.0),
    ("Director of Customer Success", "director", "Customer Success", 0.8),
    ("Director of Finance", "director", "Finance", 0.6),
    ("HR Director", "director", "HR", 0.4),
    ("Sales Manager", "manager", "Sales", 2.5),
    ("Marketing Manager", "manager", "Marketing", 3.0),
    ("Marketing Operations Manager", "manager", "Revenue Operations", 1.5),
    ("Revenue Operations Manager", "manager", "Revenue Operations", 1.2),
    ("Demand Generation Manager", "manager", "Marketing", 1.5),
    ("Product Marketing Manager", "manager", "Marketing", 1.2),
    ("Engineering Manager", "manager", "Engineering", 1.2),
    ("IT Manager", "manager", "IT", 1.0),
    ("Customer Success Manager", "manager", "Customer Success", 1.2),
    ("Operations Manager", "manager", "Operations", 1.0),
    ("Finance Manager", "manager", "Finance", 0.6),
    ("HR Manager", "manager", "HR", 0.6),
    ("Account Executive", "individual_contributor", "Sales", 2.5),
    ("Sales Development Representative", "individual_contributor", "Sales", 2.0),
    ("Marketing Specialist", "individual_contributor", "Marketing", 2.0),
    ("Content Marketing Specialist", "individual_contributor", "Marketing", 1.2),
    ("Marketing Operations Specialist", "individual_contributor", "Revenue Operations", 1.0),
    ("Salesforce Administrator", "individual_contributor", "Revenue Operations", 0.8),
    ("Data Analyst", "individual_contributor", "Operations", 1.5),
    ("Software Engineer", "individual_contributor", "Engineering", 2.0),
    ("Data Engineer", "individual_contributor", "Engineering", 0.8),
    ("Systems Administrator", "individual_contributor", "IT", 0.8),
    ("Accountant", "individual_contributor", "Finance", 0.6),
    ("Recruiter", "individual_contributor", "HR", 0.6),
    ("Consultant", "individual_contributor", "Operations", 1.0),
    ("Student", "student", "Academic", 3.0),
    ("MBA Candidate", "student", "Academic", 1.5),
    ("Graduate Student", "student", "Academic", 1.2),
    ("Marketing Intern", "student", "Marketing", 1.2),
    ("Sales Intern", "student", "Sales", 0.6),
    ("Research Assistant", "student", "Academic", 0.5),
)

TITLE_NAMES = np.array([t[0] for t in TITLES], dtype=object)
TITLE_SENIORITY = np.array([SENIORITIES.index(t[1]) for t in TITLES])
TITLE_DEPARTMENTS = np.array([t[2] for t in TITLES], dtype=object)
TITLE_WEIGHTS = np.array([t[3] for t in TITLES])

# Hidden fit of a title's seniority and department (logit points).
SENIORITY_FIT = np.array([1.0, 1.1, 0.9, 0.4, -0.3, -2.5])
DEPARTMENT_FIT = {
    "Executive": 0.5,
    "Sales": 0.5,
    "Marketing": 0.6,
    "Revenue Operations": 0.9,
    "Customer Success": 0.1,
    "Operations": 0.0,
    "Engineering": -0.2,
    "IT": -0.1,
    "Finance": -0.3,
    "HR": -0.8,
    "Academic": -1.0,
}
TITLE_FIT = SENIORITY_FIT[TITLE_SENIORITY] + np.array(
    [DEPARTMENT_FIT[d] for d in TITLE_DEPARTMENTS]
)

# Company email shapes: first.last, flast, firstl, first, first_last.
EMAIL_SHAPES = 5
PERSONAL_DOMAINS = np.array(
    ["gmail.com", "gmail.com", "gmail.com", "yahoo.com", "hotmail.com", "outlook.com", "icloud.com"]
)
JUNK_DOMAINS = np.array(["mailinator.com", "example.com", "test.com", "asdf.com"])
JUNK_NAMES = np.array(
    ["test", "asdf", "xxx", "na", "aaa", "qwerty", "none", "john doe"], dtype=object
)
PLUS_TAGS = np.array(["+webinar", "+news", "+demo", "+1", "+work"])
