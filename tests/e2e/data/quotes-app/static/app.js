document.title = "Quotes";
