global using System;
global using System.Collections.Generic;
global using System.Linq;
global using DeepNotes;
global using DeepNotes.Models;
global using Xunit;
