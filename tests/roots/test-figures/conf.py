extensions = ["trialbook"]
trialbook_data_dir = "data"
numfig = True
nitpicky = True
exclude_patterns = ["_build"]
latex_documents = [("index", "figures.tex", "Figures", "Tests", "manual")]
