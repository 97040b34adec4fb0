const tides = [['06:12', 'high'], ['12:25', 'low'], ['18:40', 'high']];
document.getElementById('tides').innerHTML = tides.map(([at, kind]) => `<p>${at} ${kind}</p>`).join('');
